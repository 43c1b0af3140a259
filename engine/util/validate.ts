/**
 * JSON Schema validation with errors people can act on. One Ajv instance for the engine;
 * schemas are compiled once. Errors become {@link Issue}s with a readable path
 * (`cells[0].latency.p99`) and, when the input came from YAML, the line and column.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { Issue } from '../errors.ts';

const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'x-hint', schemaType: 'string' });

// Two validators per schema: TypeBox's compiled check is ~10× cheaper to build and answers the
// common case (valid input) on the cold-start path; Ajv, compiled only when input is invalid,
// explains what is wrong with keyword-level detail.
const fastCache = new WeakMap<object, TypeCheck<TSchema>>();
const cache = new WeakMap<object, ValidateFunction>();

/** Path segments inside a document. */
export type DocPath = Array<string | number>;

/** Finds the line and column of a path in the source document, when there is one. */
export type Locator = (path: DocPath, what: 'key' | 'value') => { line: number; col: number } | undefined;

/** Formats path segments as `cells[0].operations[1].name`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}

function pointerToPath(pointer: string): DocPath {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describeBranches(branches: unknown[]): string {
  const consts = branches.map((b) => (b as { const?: unknown }).const);
  if (consts.every((c) => c !== undefined)) return `must be one of: ${consts.map((c) => JSON.stringify(c)).join(', ')}`;
  const types = branches.map((b) => (b as { type?: string }).type ?? 'value');
  return `must be a ${types.join(' or ')}`;
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The known name closest to `word`, if it is close enough to be a likely typo. */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(word.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function toIssue(err: ErrorObject, locate?: Locator): Issue {
  const path = pointerToPath(err.instancePath);
  const hint = (err.parentSchema as Record<string, unknown> | undefined)?.['x-hint'];
  let message: string;
  let at: DocPath = path;
  let what: 'key' | 'value' = 'value';
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      at = [...path, key];
      what = 'key';
      const known = Object.keys((err.parentSchema as { properties?: object }).properties ?? {});
      const close = suggest(key, known);
      message = `unknown key '${key}'${close ? ` (did you mean '${close}'?)` : ''}; allowed: ${known.join(', ')}`;
      break;
    }
    case 'required':
      message = `missing required key '${String(err.params.missingProperty)}'`;
      break;
    case 'pattern':
    case 'format':
      message = `must be ${typeof hint === 'string' ? hint : `matching ${String(err.params.pattern)}`}, got ${JSON.stringify(err.data)}`;
      break;
    case 'anyOf':
      message = `${describeBranches(err.schema as unknown[])}, got ${JSON.stringify(err.data)}`;
      break;
    case 'const':
      message = `must be ${JSON.stringify(err.params.allowedValue)}, got ${JSON.stringify(err.data)}`;
      break;
    case 'type':
      message = `must be ${/^[aeiou]/.test(String(err.params.type)) ? 'an' : 'a'} ${String(err.params.type)}, got ${JSON.stringify(err.data)}`;
      break;
    default:
      message = `${err.message ?? 'is invalid'}${err.data !== undefined && typeof err.data !== 'object' ? `, got ${JSON.stringify(err.data)}` : ''}`;
  }
  const pos = locate?.(at, what);
  return { path: formatPath(at), message, line: pos?.line, col: pos?.col };
}

/** Drops errors that an enclosing `anyOf` error already explains. */
function prune(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  return errors.filter(
    (e) =>
      e.keyword === 'anyOf' ||
      !anyOfs.some((a) => e.instancePath.startsWith(a.instancePath) && e.schemaPath.startsWith(`${a.schemaPath}/`)),
  );
}

/** Validates `value` against a TypeBox/JSON schema; returns the issues (empty when valid). */
export function check(schema: TSchema, value: unknown, locate?: Locator): Issue[] {
  let fast = fastCache.get(schema);
  if (!fast) {
    fast = TypeCompiler.Compile(schema);
    fastCache.set(schema, fast);
  }
  if (fast.Check(value)) return [];
  let fn = cache.get(schema);
  if (!fn) {
    fn = ajv.compile(schema);
    cache.set(schema, fn);
  }
  if (fn(value)) return [];
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const err of prune(fn.errors ?? [])) {
    const issue = toIssue(err, locate);
    const k = `${issue.path}|${issue.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      issues.push(issue);
    }
  }
  return issues;
}

/** Type guard form of {@link check} for already-trusted call sites. */
export function isValid<T extends TSchema>(schema: T, value: unknown): value is Static<T> {
  return check(schema, value).length === 0;
}
