/**
 * Flag evaluation: targeting rules on client attributes, then a sticky percentage rollout. Pure.
 *
 * Bucketing follows flagd's `fractional` operation, so a client in a Petri rollout is in the same
 * bucket when the flag is exported to flagd: MurmurHash3 (x86, 32 bit, seed 0) of the UTF-8 bytes
 * of `flagKey + targetingKey`, mapped to `[0, 1)` as `hash / 2^32` (flagd computes
 * `(hash × totalWeight) >> 32`, the same split for integer weights).
 */
import type { TargetingRule, WireSpec } from './codec.ts';
import type { SignalValue } from './types.ts';

const encoder = new TextEncoder();

/** MurmurHash3 x86 32-bit of a string's UTF-8 bytes (unsigned result). */
export function murmur3(text: string, seed = 0): number {
  const bytes = encoder.encode(text);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[blocks + 2]! << 16;
    if (tail >= 2) k ^= bytes[blocks + 1]! << 8;
    k ^= bytes[blocks]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A client's stable position in `[0, 1)` for one flag. */
export function rolloutBucket(flagKey: string, targetingKey: string): number {
  return murmur3(flagKey + targetingKey) / 2 ** 32;
}

/** What an evaluation sees of a client: OpenFeature's evaluation context, flattened. */
export type EvaluationContext = { targetingKey?: string } & Record<string, unknown>;

/** OpenFeature resolution reasons Petri reports. */
export type EvaluationReason = 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'SPLIT';

/** The outcome of evaluating a signal for one client. */
export interface Evaluation {
  value: SignalValue;
  reason: EvaluationReason;
  /** `on`/`off` for flags and bools, `default` or `rule-N` (1-based) for other types. */
  variant: string;
}

function variantOf(wire: Pick<WireSpec, 'type'>, value: SignalValue, fallback: string): string {
  if (wire.type === 'flag' || wire.type === 'bool') return value === true ? 'on' : 'off';
  return fallback;
}

function matches(rule: TargetingRule, context: EvaluationContext): boolean {
  const actual = context[rule.attribute];
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  const text = String(actual as string | number | boolean);
  return rule.in.some((v) => String(v) === text);
}

/**
 * Evaluates a signal for a client: the first matching targeting rule wins; then, for a flag whose
 * value is false, the `rollout` share of clients (by `targetingKey`) gets true; everyone else gets
 * the value. A flag that is true is true for everyone (the rollout is complete).
 */
export function evaluate(key: string, value: SignalValue, wire: WireSpec, context: EvaluationContext = {}): Evaluation {
  const rules = wire.targeting ?? [];
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (matches(rule, context))
      return { value: rule.value, reason: 'TARGETING_MATCH', variant: variantOf(wire, rule.value, `rule-${i + 1}`) };
  }
  if (wire.type === 'flag' && value === false && (wire.rollout ?? 0) > 0) {
    const who = context.targetingKey;
    if (typeof who !== 'string' || who === '') return { value, reason: 'DEFAULT', variant: 'off' };
    const on = rolloutBucket(key, who) < wire.rollout!;
    return { value: on, reason: 'SPLIT', variant: on ? 'on' : 'off' };
  }
  // DEFAULT: rules exist and none matched; STATIC: nothing here depends on the client.
  return { value, reason: rules.length > 0 ? 'DEFAULT' : 'STATIC', variant: variantOf(wire, value, 'default') };
}
