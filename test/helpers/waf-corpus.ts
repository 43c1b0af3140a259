/**
 * Test and bench helper: loads the attack corpus (fixtures/attacks) and the benign corpus
 * (fixtures/benign) and places each value in a request the way a client would send it — query
 * parameter, JSON body (as a value, nested, in an array, or as a key), form body, a header, a
 * path segment — on top of realistic browser headers. Placement is deterministic (by index), so
 * the evaluation is the same on every run.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttackClass, WafInput } from '../../engine/immune/waf/index.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where a corpus value can go. */
export type Placement = 'query' | 'json' | 'form' | 'header' | 'path' | 'user-agent';

/** A whole request from a corpus file's `requests`. */
export interface CorpusRequest {
  name: string;
  method: string;
  path: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One fixtures/attacks/<class>.json file. */
export interface AttackCorpus {
  class: AttackClass;
  title: string;
  notes: string[];
  placements: Placement[];
  payloads: string[];
  requests?: Array<CorpusRequest | { name: string; expect: 'parser' | 'waf'; raw: string }>;
}

/** fixtures/benign/benign.json. */
export interface BenignCorpus {
  values: Record<string, string[]>;
  userAgents: string[];
  jsonBodies: unknown[];
}

/** One placed request with its label. */
export interface Labelled {
  group: string;
  placement: Placement | 'request' | 'json-document';
  value: string;
  input: WafInput;
}

/** Every attack corpus file, by class. */
export function loadAttacks(): AttackCorpus[] {
  const dir = join(ROOT, 'fixtures', 'attacks');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AttackCorpus);
}

/** The benign corpus. */
export function loadBenign(): BenignCorpus {
  return JSON.parse(readFileSync(join(ROOT, 'fixtures', 'benign', 'benign.json'), 'utf8')) as BenignCorpus;
}

/** The gateway's host as clients address it. */
export const HOST = '127.0.0.1:8080';

/** What a browser sends with every request to the gateway. */
export function browserHeaders(): IncomingHttpHeaders {
  return {
    host: HOST,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    'accept-language': 'en-GB,en;q=0.9,fr;q=0.8',
    'accept-encoding': 'gzip, deflate, br',
    connection: 'keep-alive',
    referer: `http://${HOST}/shop/products?category=books&page=2`,
    cookie: 'theme=dark; _ga=GA1.1.1234567890.1700000000; session=s%3Aq1w2e3r4t5y6.abcDEF123',
    'sec-ch-ua': '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
    'sec-fetch-mode': 'navigate',
  };
}

const HEADER_NAMES = ['user-agent', 'referer', 'x-forwarded-for', 'cookie', 'x-api-note'] as const;
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A header value as a client can send it: as is when legal, percent-encoded otherwise. */
export function headerSafe(value: string): string {
  return HEADER_SAFE.test(value) && value.trim() === value ? value : encodeURIComponent(value);
}

function jsonShape(value: string, i: number): unknown {
  switch (i % 4) {
    case 0:
      return { comment: value, rating: 4 };
    case 1:
      return { user: { profile: { bio: value, tags: ['a', 'b'] } } };
    case 2:
      return { items: [{ sku: 'SKU-1', note: value }] };
    default:
      return { data: { [value]: 'x' } };
  }
}

/** Places `value` at `placement`; `i` picks the variant (JSON shape, header name). */
export function place(value: string, placement: Placement, i: number): WafInput {
  const headers = browserHeaders();
  switch (placement) {
    case 'query':
      return { method: 'GET', path: '/api/search', query: `q=${encodeURIComponent(value)}&page=1`, headers };
    case 'json':
      return {
        method: 'POST',
        path: '/api/items',
        headers: { ...headers, 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(jsonShape(value, i))),
      };
    case 'form':
      return {
        method: 'POST',
        path: '/api/items',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(new URLSearchParams({ name: 'test', comment: value }).toString()),
      };
    case 'header': {
      const name = HEADER_NAMES[i % HEADER_NAMES.length]!;
      const v = name === 'cookie' ? `theme=dark; pref=${encodeURIComponent(value)}` : headerSafe(value);
      return { method: 'GET', path: '/api/items', query: '', headers: { ...headers, [name]: v } };
    }
    case 'path':
      return { method: 'GET', path: `/api/items/${encodeURIComponent(value)}`, query: '', headers };
    case 'user-agent':
      return { method: 'GET', path: '/', query: '', headers: { ...headers, 'user-agent': value } };
  }
}

/** A corpus request as the WAF sees it. */
export function requestInput(r: CorpusRequest): WafInput {
  return { method: r.method, path: r.path, query: r.query ?? '', headers: { ...r.headers }, body: r.body };
}

/**
 * A raw request (`{host}` filled in) as Node's parser hands it to the gateway: request line,
 * lower-cased headers (repeats joined with `, `), body. Only for requests the parser accepts.
 */
export function parseRaw(raw: string, host = HOST): WafInput {
  const text = raw.replaceAll('{host}', host);
  const sep = text.indexOf('\r\n\r\n');
  const [line = '', ...lines] = (sep === -1 ? text : text.slice(0, sep)).split('\r\n');
  const [method = '', target = '/'] = line.split(' ');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    const k = l.slice(0, i).trim().toLowerCase();
    const v = l.slice(i + 1).trim();
    headers[k] = headers[k] === undefined ? v : `${headers[k]}, ${v}`;
  }
  const q = target.indexOf('?');
  const body = sep === -1 ? '' : text.slice(sep + 4);
  return {
    method,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers,
    body: body || undefined,
  };
}

/** Every attack request: each payload at each of its placements, plus whole requests. */
export function attackRequests(corpus: AttackCorpus): Labelled[] {
  const out: Labelled[] = [];
  corpus.payloads.forEach((p, i) => {
    for (const placement of corpus.placements)
      out.push({ group: corpus.class, placement, value: p, input: place(p, placement, i) });
  });
  for (const r of corpus.requests ?? []) {
    // Raw requests Node's parser refuses never reach a layer (test/integration checks which).
    if ('raw' in r && r.expect === 'parser') continue;
    const input = 'raw' in r ? parseRaw(r.raw) : requestInput(r);
    out.push({ group: corpus.class, placement: 'request', value: r.name, input });
  }
  return out;
}

const VALUE_PLACEMENTS: Placement[] = ['query', 'json', 'form', 'header', 'path'];

/** Every benign request: each value at each placement, each User-Agent, each JSON document. */
export function benignRequests(corpus: BenignCorpus): Labelled[] {
  const out: Labelled[] = [];
  let i = 0;
  for (const [group, values] of Object.entries(corpus.values)) {
    for (const v of values) {
      for (const placement of VALUE_PLACEMENTS) out.push({ group, placement, value: v, input: place(v, placement, i) });
      i++;
    }
  }
  for (const ua of corpus.userAgents)
    out.push({ group: 'user-agents', placement: 'user-agent', value: ua, input: place(ua, 'user-agent', 0) });
  for (const doc of corpus.jsonBodies) {
    const body = JSON.stringify(doc);
    out.push({
      group: 'json-documents',
      placement: 'json-document',
      value: body,
      input: { method: 'POST', path: '/api/items', headers: { ...browserHeaders(), 'content-type': 'application/json' }, body },
    });
  }
  return out;
}

/** fixtures/waf-holdout/holdout.json: values written after the rules were tuned. */
export interface HoldoutCorpus {
  attacks: Partial<Record<AttackClass, string[]>>;
  benign: string[];
}

/** The held-out set, placed like the main corpora: attacks (group = class) and benign values. */
export function holdoutRequests(): { attacks: Labelled[]; benign: Labelled[] } {
  const corpus = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'waf-holdout', 'holdout.json'), 'utf8')) as HoldoutCorpus;
  const spread = (group: string, values: string[]): Labelled[] =>
    values.flatMap((v, i) =>
      VALUE_PLACEMENTS.map((placement) => ({ group, placement, value: v, input: place(v, placement, i) })),
    );
  return {
    attacks: Object.entries(corpus.attacks).flatMap(([cls, values]) => spread(cls, values ?? [])),
    benign: spread('benign', corpus.benign),
  };
}
