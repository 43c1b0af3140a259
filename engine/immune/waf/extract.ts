/**
 * Turns a request into the list of values the WAF inspects: the path, every query argument name
 * and value, every cookie, the headers an attacker controls and an application might use, and
 * every string (and key) in a JSON, form or multipart body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { urlDecode } from './decode.ts';
import type { Location, ParsedRequest, Target, WafInput } from './types.ts';

/** At most this much of a body is inspected (the CRS default inspects 128 KiB). */
export const MAX_BODY_INSPECTED = 128 * 1024;
const MAX_JSON_STRINGS = 4096;
const MAX_JSON_DEPTH = 64;

/**
 * Headers not inspected as payload carriers: structural ones the HTTP parser already validated
 * (the protocol rules read them separately), credentials, browser-set client hints, and the load
 * generator's ground-truth tag. Everything else (User-Agent, Referer, X-Forwarded-For, custom
 * headers…) is inspected like an argument.
 */
const SKIP_HEADERS = new Set([
  'accept',
  'accept-encoding',
  'accept-language',
  'authorization',
  'cache-control',
  'connection',
  'content-length',
  'content-type',
  'dnt',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'keep-alive',
  'origin',
  'pragma',
  'priority',
  'range',
  'te',
  'transfer-encoding',
  'upgrade-insecure-requests',
  'x-petri-stream',
]);

/** The first value of a header (Node joins most repeated headers, but not all). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function addPairs(out: Target[], names: string[], text: string, sep: string, value: Location, name: Location): void {
  if (!text) return;
  for (const part of text.split(sep)) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq === -1 ? part : part.slice(0, eq);
    const v = eq === -1 ? '' : part.slice(eq + 1);
    const key = sep === ';' ? k.trim() : k;
    if (key) {
      out.push({ location: name, name: key, raw: key, plus: sep === '&' });
      names.push(urlDecode(key, sep === '&').toLowerCase());
    }
    if (v) out.push({ location: value, name: key, raw: sep === ';' ? v.trim() : v, plus: sep === '&' });
  }
}

function walkJson(out: Target[], names: string[], v: unknown, path: string, depth: number): void {
  if (out.length > MAX_JSON_STRINGS || depth > MAX_JSON_DEPTH) return;
  if (typeof v === 'string') out.push({ location: 'body', name: path, raw: v, plus: false });
  else if (Array.isArray(v)) v.forEach((x, i) => walkJson(out, names, x, `${path}[${i}]`, depth + 1));
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out.push({ location: 'body-name', name: path, raw: k, plus: false });
      // `{"constructor": {"prototype": …}}` pollutes prototypes only as a pair of keys.
      if (k === 'prototype' && path.endsWith('.constructor'))
        out.push({ location: 'body-name', name: path, raw: 'constructor.prototype', plus: false });
      names.push(k.toLowerCase());
      walkJson(out, names, x, `${path}.${k}`, depth + 1);
    }
  }
}

function addMultipart(out: Target[], text: string, contentType: string): void {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) {
    out.push({ location: 'body', name: 'body', raw: text, plus: false });
    return;
  }
  for (const part of text.split(`--${boundary}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) continue;
    const head = part.slice(0, split);
    const name = /\bname="([^"]*)"/i.exec(head)?.[1] ?? 'part';
    const file = /\bfilename="([^"]*)"/i.exec(head)?.[1];
    if (file !== undefined) out.push({ location: 'body', name: `${name}#filename`, raw: file, plus: false });
    out.push({ location: 'body', name, raw: part.slice(split + 4).replace(/\r\n$/, ''), plus: false });
  }
}

/** Adds the body's values; returns why it could not be parsed, if it could not. */
function addBody(out: Target[], names: string[], body: string, contentType: string): string | undefined {
  const ct = contentType.toLowerCase();
  if (ct.includes('json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch (err) {
      out.push({ location: 'body', name: 'body', raw: body, plus: false });
      return `invalid JSON body: ${(err as Error).message}`;
    }
    walkJson(out, names, doc, '$', 0);
    return undefined;
  }
  if (ct.startsWith('application/x-www-form-urlencoded')) addPairs(out, names, body, '&', 'body', 'body-name');
  else if (ct.startsWith('multipart/')) addMultipart(out, body, contentType);
  else out.push({ location: 'body', name: 'body', raw: body, plus: false });
  return undefined;
}

/** Parses a request-like input into the values to inspect. */
export function parseRequest(input: WafInput): ParsedRequest {
  const headers = input.headers ?? {};
  const targets: Target[] = [];
  const argNames: string[] = [];
  targets.push({ location: 'path', name: 'path', raw: input.path, plus: false });
  // Each segment on its own too, so rules anchored at the start of a value see a payload that was
  // sent as one percent-encoded path segment.
  const segments = input.path.split('/');
  if (segments.length > 2)
    segments.forEach((s, i) => s && targets.push({ location: 'path', name: `path[${i}]`, raw: s, plus: false }));
  addPairs(targets, argNames, input.query ?? '', '&', 'query', 'query-name');
  const host = headerValue(headers, 'host');
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SKIP_HEADERS.has(name) || name.startsWith('sec-')) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (name === 'cookie') addPairs(targets, [], text, ';', 'cookie', 'cookie');
    else if (name === 'referer') targets.push({ location: 'referer', name, raw: stripSameOrigin(text, host), plus: false });
    else targets.push({ location: 'header', name, raw: text, plus: false });
  }
  let bodyError: string | undefined;
  const body = input.body;
  const bodyLength = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (bodyLength > 0) {
    const text =
      typeof body === 'string' ? body.slice(0, MAX_BODY_INSPECTED) : body!.subarray(0, MAX_BODY_INSPECTED).toString('utf8');
    bodyError = addBody(targets, argNames, text, headerValue(headers, 'content-type') ?? '');
  }
  return { method: input.method, path: input.path, query: input.query ?? '', headers, targets, argNames, bodyError, bodyLength };
}

/**
 * A Referer on the gateway's own origin is the application's own page: only its path and query
 * are attacker-shaped, so the scheme and authority are dropped (an internal-looking URL there is
 * the gateway itself, not a server-side request forgery).
 */
function stripSameOrigin(referer: string, host: string | undefined): string {
  if (!host) return referer;
  for (const scheme of ['http://', 'https://']) {
    const prefix = scheme + host.toLowerCase();
    if (referer.toLowerCase().startsWith(prefix) && /^(?:[/?#]|$)/.test(referer.slice(prefix.length)))
      return referer.slice(prefix.length);
  }
  return referer;
}
