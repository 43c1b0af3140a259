/** YAML parsing that keeps positions, so every issue can say `file:line:col`. */
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Node, type Document } from 'yaml';
import type { Issue } from '../errors.ts';
import { formatPath, type DocPath, type Locator } from './validate.ts';

/** A parsed YAML document: its plain value, a locator for paths, and syntax issues. */
export interface YamlSource {
  value: unknown;
  locate: Locator;
  issues: Issue[];
}

function nodeAt(doc: Document, path: DocPath): { node?: Node; key?: Node; depth: number } {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      key = pair.key as Node;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      const item = (node as { items: unknown[] }).items[Number(seg)];
      if (item === undefined) break;
      key = undefined;
      node = item;
    } else break;
    depth++;
  }
  return { node: (node ?? undefined) as Node | undefined, key, depth };
}

/** Parses YAML text; never throws for bad YAML (syntax errors come back as issues). */
export function parseYaml(text: string, file?: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const issues: Issue[] = [...doc.errors, ...doc.warnings].map((e) => {
    const p = pos(e.pos[0]);
    return { file, line: p.line, col: p.col, path: '', message: e.message.split('\n')[0] ?? e.message };
  });
  const locate: Locator = (path, what) => {
    const found = nodeAt(doc, path);
    const exact = found.depth === path.length;
    const target = exact && what === 'key' && found.key ? found.key : found.node;
    const range = (target as { range?: [number, number, number] } | undefined)?.range;
    return range ? pos(range[0]) : undefined;
  };
  return { value: issues.length ? undefined : doc.toJS({ maxAliasCount: 100 }), locate, issues };
}

/** Attaches the file name and a position to issues produced by checks on a parsed document. */
export function locateIssue(
  src: YamlSource,
  file: string | undefined,
  path: DocPath,
  message: string,
  what: 'key' | 'value' = 'value',
): Issue {
  const p = src.locate(path, what);
  return { file, line: p?.line, col: p?.col, path: formatPath(path), message };
}
