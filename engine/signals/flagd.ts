/**
 * flagd flag-definition JSON (https://flagd.dev/schema/v0/flags.json) to and from signals. Pure.
 *
 * A flag's rollout becomes a `fractional` split `[["on", w], ["off", W − w]]` bucketed on flagd's
 * default (`flagKey + targetingKey`), so the same clients are in it under flagd and Petri; its
 * targeting rules become an `if` chain of `in` conditions on context attributes. Import reads
 * that subset back (plus `==` conditions) and refuses other JSONLogic with a clear message.
 */
import type { Issue } from '../errors.ts';
import type { TargetingRule } from './codec.ts';
import { resolveKey, type ExportResult, type ImportPlan, type InteropSignal, type SignalChangeInput } from './interop.ts';
import type { SignalValue } from './types.ts';

/** The `$schema` written into exported files. */
export const FLAGD_SCHEMA = 'https://flagd.dev/schema/v0/flags.json';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface FlagdFlag {
  state: 'ENABLED' | 'DISABLED';
  variants: Record<string, boolean | number | string>;
  defaultVariant: string;
  targeting?: Record<string, Json>;
  metadata?: Record<string, string | number | boolean>;
}

/** Integer weights for a share: percent when exact (readable), else parts per ten thousand. */
export function rolloutWeights(share: number): [number, number] {
  const pct = share * 100;
  if (Math.abs(pct - Math.round(pct)) < 1e-9) return [Math.round(pct), 100 - Math.round(pct)];
  const w = Math.round(share * 10_000);
  return [w, 10_000 - w];
}

function ruleVariant(s: InteropSignal, i: number, value: SignalValue): string {
  return s.type === 'flag' || s.type === 'bool' ? (value === true ? 'on' : 'off') : `rule-${i + 1}`;
}

function targetingOf(s: InteropSignal): Record<string, Json> | undefined {
  const rollout = s.type === 'flag' && s.value === false && (s.rollout ?? 0) > 0 ? s.rollout! : 0;
  const split: Json | undefined =
    rollout > 0 ? { fractional: rolloutWeights(rollout).map((w, i) => [i === 0 ? 'on' : 'off', w]) } : undefined;
  const rules = s.targeting ?? [];
  if (rules.length === 0) return split as Record<string, Json> | undefined;
  const chain: Json[] = [];
  rules.forEach((r, i) => chain.push({ in: [{ var: r.attribute }, r.in] }, ruleVariant(s, i, r.value)));
  if (split) chain.push(split);
  return { if: chain };
}

function flagOf(s: InteropSignal): FlagdFlag {
  const metadata: FlagdFlag['metadata'] = { petriType: s.type };
  if (s.min !== undefined) metadata.min = s.min;
  if (s.max !== undefined) metadata.max = s.max;
  if (s.values) metadata.values = s.values.join(',');
  if (s.description) metadata.description = s.description;
  const boolish = s.type === 'flag' || s.type === 'bool';
  const variants: FlagdFlag['variants'] = boolish ? { on: true, off: false } : { default: s.value as string | number };
  if (!boolish) (s.targeting ?? []).forEach((r, i) => (variants[`rule-${i + 1}`] = r.value));
  const flag: FlagdFlag = { state: 'ENABLED', variants, defaultVariant: boolish ? (s.value ? 'on' : 'off') : 'default' };
  const targeting = targetingOf(s);
  if (targeting) flag.targeting = targeting;
  flag.metadata = metadata;
  return flag;
}

/** Writes signals as a flagd flag-definition file; secrets and unset values are left out. */
export function toFlagd(signals: InteropSignal[]): ExportResult {
  const flags: Record<string, FlagdFlag> = {};
  const skipped: ExportResult['skipped'] = [];
  for (const s of signals) {
    if (s.secret) skipped.push({ key: s.key, reason: 'secret' });
    else if (s.value === null) skipped.push({ key: s.key, reason: 'not set (flagd has no null variant)' });
    else flags[s.key] = flagOf(s);
  }
  return { text: `${JSON.stringify({ $schema: FLAGD_SCHEMA, flags }, null, 2)}\n`, skipped };
}

// ---------------------------------------------------------------------------------------------
// import

/** A flag as read from a file, before it is matched with a declared signal. */
interface ReadFlag {
  value: SignalValue;
  rollout?: number;
  rules: Array<{ attribute: string; in: Array<string | number>; value: SignalValue }>;
}

class Unsupported extends Error {}

const UNDERSTOOD =
  "Petri understands an 'if' chain of 'in' or '==' conditions on a context attribute, and a 'fractional' on/off split";

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The share of a `fractional` split that lands on true-valued variants. */
function readFractional(args: Json, variants: FlagdFlag['variants']): number {
  if (!Array.isArray(args)) throw new Unsupported("'fractional' takes an array");
  const buckets = args.filter((a): a is Json[] => Array.isArray(a));
  const first = args[0];
  const defaultBucketing =
    Array.isArray(first) ||
    (isObject(first) && JSON.stringify(first) === JSON.stringify({ cat: [{ var: '$flagd.flagKey' }, { var: 'targetingKey' }] }));
  if (!defaultBucketing) throw new Unsupported("only fractional splits bucketed on flagd's default (flagKey + targetingKey)");
  let total = 0;
  let on = 0;
  for (const b of buckets) {
    const name = b[0];
    const weight = b.length > 1 ? b[1] : 1;
    if (typeof name !== 'string' || typeof weight !== 'number') throw new Unsupported('fractional buckets are [variant, weight]');
    const v = variants[name];
    if (typeof v !== 'boolean') throw new Unsupported(`fractional variant '${name}' must be a boolean variant`);
    total += weight;
    if (v) on += weight;
  }
  if (total <= 0) throw new Unsupported('fractional weights add up to zero');
  return on / total;
}

function readCondition(cond: Json): { attribute: string; in: Array<string | number> } {
  if (!isObject(cond)) throw new Unsupported(UNDERSTOOD);
  const [op] = Object.keys(cond);
  const args = op ? cond[op] : undefined;
  if (!Array.isArray(args) || args.length !== 2 || !isObject(args[0]) || typeof args[0].var !== 'string')
    throw new Unsupported(UNDERSTOOD);
  const attribute = args[0].var;
  const list = op === 'in' ? args[1] : op === '==' || op === '===' ? [args[1]] : undefined;
  if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'string' || typeof x === 'number'))
    throw new Unsupported(UNDERSTOOD);
  return { attribute, in: list as Array<string | number> };
}

function variantValue(variants: FlagdFlag['variants'], name: Json): SignalValue {
  if (typeof name !== 'string' || !(name in variants)) throw new Unsupported(`unknown variant ${JSON.stringify(name)}`);
  return variants[name]!;
}

function readFlag(flag: FlagdFlag): ReadFlag {
  const out: ReadFlag = { value: variantValue(flag.variants, flag.defaultVariant), rules: [] };
  const t = flag.targeting;
  if (!t || Object.keys(t).length === 0) return out;
  const applyElse = (branch: Json): void => {
    if (branch === null) return;
    if (isObject(branch) && 'fractional' in branch) {
      out.value = false;
      out.rollout = readFractional(branch.fractional!, flag.variants);
    } else out.value = variantValue(flag.variants, branch);
  };
  if ('fractional' in t) applyElse(t);
  else if ('if' in t && Array.isArray(t.if)) {
    const chain = t.if;
    for (let i = 0; i + 1 < chain.length; i += 2)
      out.rules.push({ ...readCondition(chain[i]!), value: variantValue(flag.variants, chain[i + 1]!) });
    if (chain.length % 2 === 1) applyElse(chain[chain.length - 1]!);
  } else throw new Unsupported(UNDERSTOOD);
  return out;
}

/** Checks a read value against the declared type's JSON shape (ranges are checked by the store). */
function typedError(s: InteropSignal, value: SignalValue): string | undefined {
  const want = s.type === 'flag' || s.type === 'bool' ? 'boolean' : s.type === 'number' ? 'number' : 'string';
  return typeof value === want
    ? undefined
    : `'${s.key}' is a ${s.type} signal: a ${want} variant is needed, got ${JSON.stringify(value)}`;
}

function toChange(s: InteropSignal, read: ReadFlag): SignalChangeInput | string {
  for (const v of [read.value, ...read.rules.map((r) => r.value)]) {
    const err = typedError(s, v);
    if (err) return err;
  }
  if (read.rollout !== undefined && s.type !== 'flag') return `'${s.key}' is a ${s.type} signal: only flags roll out`;
  const change: SignalChangeInput = { key: s.key, value: read.value, targeting: read.rules as TargetingRule[] };
  if (s.type === 'flag') change.rollout = read.rollout ?? 0;
  return change;
}

/** Plans the changes a flagd file asks for, matched to the declared signals. */
export function planFlagdImport(text: string, declared: InteropSignal[], file = 'flags.json'): ImportPlan {
  const plan: ImportPlan = { changes: [], skipped: [], issues: [] };
  const issue = (path: string, message: string): number => plan.issues.push({ file, path, message } satisfies Issue);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    issue('', `not valid JSON: ${(err as Error).message}`);
    return plan;
  }
  if (!isObject(doc) || !isObject(doc.flags)) {
    issue('flags', "a flagd file has a top-level 'flags' object");
    return plan;
  }
  const byKey = new Map(declared.map((s) => [s.key, s]));
  for (const [key, raw] of Object.entries(doc.flags)) {
    const path = `flags.${key}`;
    const flag = raw as unknown as FlagdFlag;
    if (!isObject(raw) || !isObject(raw.variants) || typeof raw.defaultVariant !== 'string') {
      issue(path, "a flag needs 'variants' and a 'defaultVariant'");
      continue;
    }
    const s = resolveKey(key, byKey);
    if (!s) {
      issue(path, `no signal '${key}' is declared (declare it in the organism manifest)`);
      continue;
    }
    if (flag.state === 'DISABLED') {
      plan.skipped.push({ key: s.key, reason: 'flagd state DISABLED' });
      continue;
    }
    try {
      const change = toChange(s, readFlag(flag));
      if (typeof change === 'string') issue(path, change);
      else plan.changes.push(change);
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err;
      issue(`${path}.targeting`, err.message);
    }
  }
  return plan;
}
