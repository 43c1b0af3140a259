/**
 * Per-request measurements the behaviour windows are built from: payload entropy and length,
 * metacharacter share, the numeric id a request addresses, a credential fingerprint. Pure and
 * cheap (a few µs): they run once per observed request, on the gateway's thread.
 */
import type { GatewayRequest } from '../../gateway/index.ts';

/** Bytes of query and of body looked at: enough to characterise a payload, bounded cost. */
export const PAYLOAD_SCAN_BYTES = 1024;

const counts = new Uint16Array(256);
const touched = new Uint8Array(256);

/**
 * Shannon entropy (bits per byte, 0–8) of the raw query bytes followed by the body bytes, each
 * capped at {@link PAYLOAD_SCAN_BYTES}. Raw, not decoded: percent-encoding itself is part of
 * what a payload looks like, and decoding costs more than the measurement is worth.
 */
export function payloadEntropy(query: string, body: Buffer | undefined): number {
  let n = 0;
  let distinct = 0;
  const add = (b: number): void => {
    if (counts[b] === 0) touched[distinct++] = b;
    counts[b]!++;
    n++;
  };
  const q = Math.min(query.length, PAYLOAD_SCAN_BYTES);
  for (let i = 0; i < q; i++) add(query.charCodeAt(i) & 0xff);
  const b = body ? Math.min(body.length, PAYLOAD_SCAN_BYTES) : 0;
  for (let i = 0; i < b; i++) add(body![i]!);
  let h = 0;
  for (let k = 0; k < distinct; k++) {
    const c = touched[k]!;
    const p = counts[c]! / n;
    h -= p * Math.log2(p);
    counts[c] = 0;
  }
  return h;
}

/**
 * Characters that carry code rather than data in URLs, forms and JSON values: quotes, angle
 * brackets, statement and shell separators, parentheses, backslash, template and glob markers.
 * JSON's own structure (`"{}[],:`) and `@` (e-mail addresses) are deliberately absent.
 */
const META = new Uint8Array(128);
for (const c of `'<>;()|\`$\\*!^~#%`) META[c.charCodeAt(0)] = 1;

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

function countMeta(s: string, limit: number): number {
  let m = 0;
  const n = Math.min(s.length, limit);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128 && META[c] === 1) m++;
  }
  return m;
}

/**
 * Share (0–1) of metacharacters in the URL-decoded path and query and the body text. A `%` left
 * after decoding counts too: it means the client encoded twice.
 */
export function metacharShare(path: string, query: string, body: Buffer | undefined): number {
  const p = safeDecode(path);
  const q = safeDecode(query);
  const text = body?.length ? body.toString('latin1', 0, Math.min(body.length, PAYLOAD_SCAN_BYTES)) : '';
  const total = Math.min(p.length, PAYLOAD_SCAN_BYTES) + Math.min(q.length, PAYLOAD_SCAN_BYTES) + text.length;
  if (total === 0) return 0;
  return (countMeta(p, PAYLOAD_SCAN_BYTES) + countMeta(q, PAYLOAD_SCAN_BYTES) + countMeta(text, PAYLOAD_SCAN_BYTES)) / total;
}

const NUMERIC = /^\d{1,15}$/;
const QUERY_NUMBER = /(?:^|&)[^=&]*=(\d{1,15})(?:&|$)/;

/**
 * The numeric id a request addresses: the first all-digit path parameter, else the first
 * all-digit query value (`?page=7`), else NaN. Enumeration shows up as consecutive ids.
 */
export function numericId(params: Record<string, string>, query: string): number {
  for (const key in params) {
    const v = params[key]!;
    if (NUMERIC.test(v)) return Number(v);
  }
  if (!query) return NaN;
  const m = QUERY_NUMBER.exec(query);
  return m ? Number(m[1]) : NaN;
}

/** FNV-1a of a string, never 0 (0 means "none" in the windows). */
export function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0 || 1;
}

/** The credential a request presents (`Authorization` header) as a fingerprint; 0 when none. */
export function credentialOf(req: GatewayRequest): number {
  const a = req.headers.authorization;
  return typeof a === 'string' && a.length > 0 ? fingerprint(a) : 0;
}
