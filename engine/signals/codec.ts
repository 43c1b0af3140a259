/** How a signal value is stored in the KV bucket: JSON with its author and time. */
import type { SignalValue } from './types.ts';

/** Who changed a signal. */
export type SignalAuthor = 'organism' | 'ui' | 'api' | 'scenario' | 'import' | 'rollback' | 'engine' | 'external';

/** A stored signal value. */
export interface StoredSignal {
  v: SignalValue;
  by: SignalAuthor;
  at: number;
  /** Free-form note (e.g. "rollback to rev 12"). */
  note?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeSignal(s: StoredSignal): Uint8Array {
  return encoder.encode(JSON.stringify(s));
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
  if (parsed && typeof parsed === 'object' && 'v' in parsed && 'by' in parsed) return parsed as StoredSignal;
  if (parsed === null || ['number', 'string', 'boolean'].includes(typeof parsed))
    return { v: parsed as SignalValue, by: 'external', at: 0 };
  return undefined;
}
