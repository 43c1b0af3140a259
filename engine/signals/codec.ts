/** How a signal value is stored in the KV bucket: JSON with its author, time and typing. */
import type { SignalSpec } from '../organism/index.ts';
import type { SignalValue } from './types.ts';

/** Who changed a signal. */
export type SignalAuthor = 'organism' | 'ui' | 'api' | 'scenario' | 'import' | 'rollback' | 'engine' | 'external';

/** Every author, for validation of API bodies and stored rows. */
export const SIGNAL_AUTHORS: readonly SignalAuthor[] = [
  'organism',
  'ui',
  'api',
  'scenario',
  'import',
  'rollback',
  'engine',
  'external',
];

/** A targeting rule: clients whose `attribute` is one of `in` get `value`. */
export interface TargetingRule {
  attribute: string;
  in: Array<string | number>;
  value: number | string | boolean;
}

/**
 * The typing a stored value carries, so any reader (a cell, a user's service through the
 * OpenFeature provider) can validate and evaluate it without the organism manifest. `rollout` and
 * `targeting` are live: changing them is a signal change with its own revision.
 */
export interface WireSpec {
  type: SignalSpec['type'];
  min?: number;
  max?: number;
  values?: string[];
  rollout?: number;
  targeting?: TargetingRule[];
  secret?: boolean;
}

/** A stored signal value. */
export interface StoredSignal {
  v: SignalValue;
  by: SignalAuthor;
  at: number;
  /** Free-form note (e.g. "rollback to rev 12"). */
  note?: string;
  /** The signal's typing at this revision; absent in values written by other tools. */
  s?: WireSpec;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The wire typing of a declared signal (its manifest rollout and targeting included). */
export function wireSpec(spec: SignalSpec): WireSpec {
  const out: WireSpec = { type: spec.type };
  if (spec.min !== undefined) out.min = spec.min;
  if (spec.max !== undefined) out.max = spec.max;
  if (spec.values !== undefined) out.values = [...spec.values];
  if (spec.rollout !== undefined) out.rollout = spec.rollout;
  if (spec.targeting !== undefined && spec.targeting.length > 0)
    out.targeting = spec.targeting.map((r) => ({ ...r, in: [...r.in] }));
  if (spec.secret) out.secret = true;
  return out;
}

export function encodeSignal(s: StoredSignal): Uint8Array {
  return encoder.encode(JSON.stringify(s));
}

function isWireSpec(s: unknown): s is WireSpec {
  return typeof s === 'object' && s !== null && typeof (s as { type?: unknown }).type === 'string';
}

/**
 * Decodes a KV value. A plain JSON value written by another tool (`nats kv put k 2`) is accepted
 * with author `external`; undecodable bytes return undefined (the last good value stays).
 */
export function decodeSignal(data: Uint8Array): StoredSignal | undefined {
  const text = decoder.decode(data);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { v: text, by: 'external', at: 0 };
  }
  if (parsed && typeof parsed === 'object' && 'v' in parsed && 'by' in parsed) {
    const rec = parsed as StoredSignal;
    if (rec.s !== undefined && !isWireSpec(rec.s)) return undefined;
    return rec;
  }
  if (parsed === null || ['number', 'string', 'boolean'].includes(typeof parsed))
    return { v: parsed as SignalValue, by: 'external', at: 0 };
  return undefined;
}
