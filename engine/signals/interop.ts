/**
 * Import and export of signals as `.env` files and flagd flag-definition JSON. Pure: text in,
 * changes out (validated later, as a whole, by the store), and signals in, text out.
 *
 * Secrets are never exported: a secret appears as a comment in `.env` and is left out of flagd.
 */
import type { Issue } from '../errors.ts';
import type { SignalSpec } from '../organism/index.ts';
import type { TargetingRule } from './codec.ts';
import type { SignalValue } from './types.ts';

/** What import and export need to know of a signal (the API's signal view satisfies it). */
export interface InteropSignal {
  key: string;
  type: SignalSpec['type'];
  value: SignalValue;
  secret: boolean;
  min?: number;
  max?: number;
  values?: string[];
  rollout?: number;
  targeting?: TargetingRule[];
  description?: string;
}

/** One change an import asks for; fields left out stay as they are. */
export interface SignalChangeInput {
  key: string;
  value?: SignalValue;
  rollout?: number;
  targeting?: TargetingRule[];
  /** Line of the file it came from (for error messages). */
  line?: number;
}

/** File formats understood by import and export. */
export type InteropFormat = 'env' | 'flagd';

/** Result of parsing a file against the declared signals. */
export interface ImportPlan {
  changes: SignalChangeInput[];
  /** Entries deliberately not applied (a disabled flagd flag, a secret placeholder), with why. */
  skipped: Array<{ key: string; reason: string }>;
  issues: Issue[];
}

/** Result of an export: the text and the signals left out of it. */
export interface ExportResult {
  text: string;
  skipped: Array<{ key: string; reason: string }>;
}

/** Guesses a file's format: JSON objects are flagd, anything else `.env`. */
export function detectFormat(fileName: string, text: string): InteropFormat {
  if (/\.json$/i.test(fileName)) return 'flagd';
  if (/\.env$|^\.env|\.env\./i.test(fileName)) return 'env';
  return text.trimStart().startsWith('{') ? 'flagd' : 'env';
}

/** `catalog.latencyFactor` → `CATALOG_LATENCYFACTOR`: how shell-style names are matched. */
export function envStyle(key: string): string {
  return key.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Finds the declared signal a file's key names: verbatim, or in shell style when unambiguous. */
export function resolveKey(name: string, declared: Map<string, InteropSignal>): InteropSignal | undefined {
  const exact = declared.get(name);
  if (exact) return exact;
  const wanted = envStyle(name);
  const hits = [...declared.values()].filter((s) => envStyle(s.key) === wanted);
  return hits.length === 1 ? hits[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// .env

const BARE = /^[\w.:/@+,-]+$/;

function envQuote(text: string): string {
  if (text !== '' && BARE.test(text)) return text;
  if (!/['\n\r]/.test(text)) return `'${text}'`;
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

function describe(s: InteropSignal): string {
  const parts: string[] = [s.type];
  if (s.min !== undefined || s.max !== undefined) parts.push(`${s.min ?? '−∞'}..${s.max ?? '∞'}`);
  if (s.values) parts.push(`one of ${s.values.join(', ')}`);
  if (s.rollout !== undefined && s.rollout > 0) parts.push(`rollout ${+(s.rollout * 100).toFixed(2)}% (not in .env)`);
  if (s.targeting?.length) parts.push(`${s.targeting.length} targeting rule(s) (not in .env)`);
  return `# ${s.key}: ${parts.join(', ')}${s.description ? ` — ${s.description.replace(/\s+/g, ' ')}` : ''}`;
}

/** Writes signals as a dotenv file: `key=value` lines (keys verbatim: dotenv accepts dots). */
export function toEnv(signals: InteropSignal[], header?: string): ExportResult {
  const lines: string[] = [];
  const skipped: ExportResult['skipped'] = [];
  if (header) lines.push(...header.split('\n').map((l) => `# ${l}`), '');
  for (const s of signals) {
    lines.push(describe(s));
    if (s.secret) {
      lines.push(`# ${s.key}=  (secret: value not exported)`);
      skipped.push({ key: s.key, reason: 'secret' });
    } else if (s.value === null && s.type === 'string') {
      lines.push(`# ${s.key}=  (not set)`);
      skipped.push({ key: s.key, reason: 'not set' });
    } else lines.push(`${s.key}=${s.value === null ? '' : typeof s.value === 'string' ? envQuote(s.value) : String(s.value)}`);
  }
  return { text: `${lines.join('\n')}\n`, skipped };
}

/** One `KEY=value` line of a dotenv file. */
export interface EnvEntry {
  key: string;
  value: string;
  line: number;
}

function unquoteDouble(body: string): string {
  return body.replace(/\\(["\\nrt])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** Parses dotenv text: `KEY=value`, `export KEY=value`, quotes, `#` comments. */
export function parseEnv(text: string, file = '.env'): { entries: EnvEntry[]; issues: Issue[] } {
  const entries: EnvEntry[] = [];
  const issues: Issue[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s*(.*)$/.exec(trimmed);
    if (!m) {
      issues.push({ file, line, col: 1, path: '', message: `expected KEY=value, got ${JSON.stringify(trimmed.slice(0, 60))}` });
      return;
    }
    const [, key, rest] = m as unknown as [string, string, string];
    let value: string;
    const q = rest[0];
    if (q === '"' || q === "'") {
      const end = q === '"' ? /^"((?:\\.|[^"\\])*)"\s*(?:#.*)?$/.exec(rest) : /^'([^']*)'\s*(?:#.*)?$/.exec(rest);
      if (!end) {
        issues.push({
          file,
          line,
          col: raw.indexOf(rest) + 1,
          path: key,
          message: `unterminated ${q === '"' ? 'double' : 'single'} quote`,
        });
        return;
      }
      value = q === '"' ? unquoteDouble(end[1]!) : end[1]!;
    } else value = rest.replace(/\s+#.*$/, '').trim();
    entries.push({ key, value, line });
  });
  return { entries, issues };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** Converts a dotenv string to a declared signal's type; an error message when it cannot. */
export function fromEnvValue(s: Pick<InteropSignal, 'type'>, raw: string): { value: SignalValue } | { error: string } {
  switch (s.type) {
    case 'number': {
      if (raw === '') return { value: null };
      const n = Number(raw);
      return Number.isFinite(n) ? { value: n } : { error: `must be a number, got ${JSON.stringify(raw)}` };
    }
    case 'bool':
    case 'flag': {
      const t = raw.toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { error: `must be true or false, got ${JSON.stringify(raw)}` };
    }
    case 'duration':
    case 'enum':
      return { value: raw === '' ? null : raw };
    case 'string':
      return { value: raw };
  }
}

/** Plans the changes a dotenv file asks for; unknown keys and unconvertible values are issues. */
export function planEnvImport(text: string, declared: InteropSignal[], file = '.env'): ImportPlan {
  const { entries, issues } = parseEnv(text, file);
  const byKey = new Map(declared.map((s) => [s.key, s]));
  const plan: ImportPlan = { changes: [], skipped: [], issues };
  const seen = new Map<string, number>();
  for (const e of entries) {
    const where = { file, line: e.line, col: 1, path: e.key };
    const s = resolveKey(e.key, byKey);
    if (!s) {
      plan.issues.push({ ...where, message: `no signal '${e.key}' is declared (declare it in the organism manifest)` });
      continue;
    }
    if (seen.has(s.key)) plan.issues.push({ ...where, message: `'${s.key}' is set twice (also line ${seen.get(s.key)})` });
    seen.set(s.key, e.line);
    const converted = fromEnvValue(s, e.value);
    if ('error' in converted) plan.issues.push({ ...where, message: converted.error });
    else plan.changes.push({ key: s.key, value: converted.value, line: e.line });
  }
  return plan;
}
