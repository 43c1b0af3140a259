/**
 * Protocol attacks (CRS 920xxx enforcement, 921xxx attacks): header injection and response
 * splitting through CR/LF in values, request smuggling (an embedded request line, Content-Length
 * beside Transfer-Encoding, an odd Transfer-Encoding), and malformed requests (unknown method,
 * body on GET, unparseable JSON, disallowed content type or charset, bad Host, NUL bytes).
 * Node's HTTP parser already refuses much of this before a layer runs; these rules cover what it
 * lets through and requests handed to `inspect` directly.
 */
/* eslint-disable no-control-regex -- a WAF matches NUL and control characters on purpose */
import type { ParsedRequest, RequestRule, RuleGroup } from '../types.ts';
import { headerValue } from '../extract.ts';
import { NOT_BODY, ruleMaker } from './make.ts';

const r = ruleMaker('protocol');

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const ALLOWED_TYPES =
  /^(?:application\/(?:x-www-form-urlencoded|json|[\w.+-]+\+json|xml|soap\+xml|octet-stream|csp-report|cloudevents(?:-batch)?\+json)|multipart\/(?:form-data|related)|text\/(?:xml|plain))$/;
const ALLOWED_CHARSETS = /^(?:utf-8|iso-8859-1|iso-8859-15|us-ascii|windows-1252|latin1)$/;
const HOST = /^(?:[a-z0-9_.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;
const HOP_BY_HOP = new Set(['keep-alive', 'close', 'upgrade', 'te', 'http2-settings']);

type Hit = ReturnType<RequestRule['check']>;

const hit = (name: string, fragment: string): Hit => ({ location: 'request', name, fragment });

function req(
  id: number,
  severity: RequestRule['severity'],
  paranoia: RequestRule['paranoia'],
  msg: string,
  check: (q: ParsedRequest) => Hit,
): RequestRule {
  return { id, cls: 'protocol', severity, paranoia, msg, check };
}

function contentType(q: ParsedRequest): string | undefined {
  return headerValue(q.headers, 'content-type')?.toLowerCase();
}

const requestRules: RequestRule[] = [
  req(920200, 'critical', 1, 'method not allowed', (q) => (ALLOWED_METHODS.has(q.method) ? undefined : hit('method', q.method))),
  req(920210, 'critical', 1, 'GET or HEAD request with a body', (q) => {
    if (q.method !== 'GET' && q.method !== 'HEAD') return undefined;
    const cl = headerValue(q.headers, 'content-length');
    if (q.bodyLength > 0 || (cl !== undefined && cl !== '0')) return hit('content-length', cl ?? String(q.bodyLength));
    return q.headers['transfer-encoding'] !== undefined
      ? hit('transfer-encoding', String(q.headers['transfer-encoding']))
      : undefined;
  }),
  req(920220, 'critical', 1, 'Content-Length and Transfer-Encoding together (request smuggling)', (q) =>
    q.headers['content-length'] !== undefined && q.headers['transfer-encoding'] !== undefined
      ? hit('transfer-encoding', `${String(q.headers['content-length'])} + ${String(q.headers['transfer-encoding'])}`)
      : undefined,
  ),
  req(920230, 'critical', 1, 'Transfer-Encoding other than chunked', (q) => {
    const te = q.headers['transfer-encoding'];
    return te !== undefined && String(te).trim().toLowerCase() !== 'chunked' ? hit('transfer-encoding', String(te)) : undefined;
  }),
  req(920240, 'critical', 1, 'Content-Length is not a number', (q) => {
    const cl = q.headers['content-length'];
    return cl !== undefined && !/^\d{1,15}$/.test(String(cl)) ? hit('content-length', String(cl)) : undefined;
  }),
  req(920250, 'critical', 1, 'body does not parse as its content type', (q) =>
    q.bodyError ? hit('body', q.bodyError) : undefined,
  ),
  req(920260, 'critical', 1, 'content type not allowed', (q) => {
    const ct = contentType(q);
    if (q.bodyLength === 0 || ct === undefined) return undefined;
    const mime = ct.split(';')[0]!.trim();
    return ALLOWED_TYPES.test(mime) ? undefined : hit('content-type', ct);
  }),
  req(920265, 'notice', 1, 'body without a content type', (q) =>
    q.bodyLength > 0 && contentType(q) === undefined ? hit('content-type', '(missing)') : undefined,
  ),
  req(920270, 'critical', 1, 'charset not allowed (UTF-7, UTF-16, EBCDIC hide payloads)', (q) => {
    const ct = contentType(q);
    const charsets = ct ? [...ct.matchAll(/charset\s*=\s*["']?([\w.:-]+)/g)].map((m) => m[1]!) : [];
    if (charsets.length > 1) return hit('content-type', ct!);
    return charsets[0] !== undefined && !ALLOWED_CHARSETS.test(charsets[0]) ? hit('content-type', ct!) : undefined;
  }),
  // RFC 9112 requires Host on HTTP/1.1; only HTTP/1.0 and 0.9 clients omit it, and none of
  // Petri's clients (browsers, the load generator, curl, k6) are that old: a scanner or a smuggler is.
  req(920280, 'critical', 1, 'missing Host header', (q) =>
    headerValue(q.headers, 'host') ? undefined : hit('host', '(missing)'),
  ),
  req(920290, 'critical', 1, 'malformed Host header', (q) => {
    const host = headerValue(q.headers, 'host');
    return host !== undefined && !HOST.test(host) ? hit('host', host) : undefined;
  }),
  req(920300, 'critical', 1, 'request target is not an origin-form path', (q) =>
    q.path.startsWith('/') || (q.method === 'OPTIONS' && q.path === '*') ? undefined : hit('path', q.path),
  ),
  req(920310, 'critical', 1, 'abusive Range header', (q) => {
    if (q.headers['request-range'] !== undefined) return hit('request-range', String(q.headers['request-range']));
    const range = headerValue(q.headers, 'range');
    return range !== undefined && (range.split(',').length > 5 || !/^bytes=/i.test(range)) ? hit('range', range) : undefined;
  }),
  req(920320, 'critical', 1, 'Proxy header (httpoxy)', (q) =>
    q.headers['proxy'] !== undefined ? hit('proxy', String(q.headers['proxy'])) : undefined,
  ),
  req(920330, 'critical', 1, 'h2c upgrade (smuggling past the proxy)', (q) => {
    const up = headerValue(q.headers, 'upgrade');
    return up !== undefined && /h2c/i.test(up) ? hit('upgrade', up) : undefined;
  }),
  req(920340, 'critical', 1, 'method override to a method not allowed', (q) => {
    for (const h of ['x-http-method-override', 'x-http-method', 'x-method-override']) {
      const v = headerValue(q.headers, h);
      if (v !== undefined && !ALLOWED_METHODS.has(v.trim().toUpperCase())) return hit(h, v);
    }
    return undefined;
  }),
  req(920350, 'critical', 1, 'Connection header strips a forwarding header', (q) => {
    const c = headerValue(q.headers, 'connection');
    const bad = c
      ?.split(',')
      .map((t) => t.trim().toLowerCase())
      .find((t) => t && !HOP_BY_HOP.has(t));
    return bad ? hit('connection', c!) : undefined;
  }),
  req(920360, 'warning', 1, 'Expect header other than 100-continue', (q) => {
    const e = headerValue(q.headers, 'expect');
    return e !== undefined && e.trim().toLowerCase() !== '100-continue' ? hit('expect', e) : undefined;
  }),
];

/** Protocol attack rules. */
export const protocol: RuleGroup = {
  cls: 'protocol',
  gate: /[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f%]|http\/|\.[a-z]{2,7}\b/,
  requestRules,
  rules: [
    r(
      921100,
      'critical',
      1,
      'text',
      /[\r\n]\s*(?:set-cookie|location|content-(?:type|length|disposition|security-policy)|transfer-encoding|refresh|x-[\w-]+|host|access-control-allow-[\w-]+|cache-control|link|status|x-xss-protection|http\/\d)\s*:|[\r\n]\s*http\/\d(?:\.\d)?\s+\d{3}\b|\r?\n\r?\n\s*</,
      'header injection (CRLF)',
      { where: NOT_BODY },
    ),
    r(
      921110,
      'critical',
      1,
      'text',
      /[\r\n]\s*(?:set-cookie|content-(?:length|type|security-policy|disposition)|transfer-encoding|x-forwarded-[\w-]+|x-original-url|x-rewrite-url|access-control-allow-[\w-]+|cache-control|x-xss-protection)\s*:|[\r\n]\s*http\/\d(?:\.\d)?\s+\d{3}\b|\r\s*(?:location|refresh|host|link|status|x-[\w-]+)\s*:/,
      'header injection in a body',
      { where: ['body', 'body-name'] },
    ),
    r(
      921120,
      'critical',
      1,
      'text',
      /(?:^|[\r\n])\s*(?:get|post|put|delete|head|options|patch|connect|trace|track)\s+(?:\/|https?:\/\/)\S*\s+http\/[0-2](?:\.\d)?/,
      'embedded HTTP request (request smuggling)',
    ),
    r(921130, 'critical', 1, 'text', /\x00/, 'NUL byte'),
    r(921140, 'warning', 1, 'raw', /%(?![0-9a-f]{2}|u[0-9a-f]{4})/i, 'invalid URL encoding', {
      where: ['path', 'query', 'query-name'],
    }),
    r(921150, 'warning', 1, 'text', /[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/, 'control character', { where: NOT_BODY }),
    r(
      921160,
      'critical',
      1,
      'path',
      /\.(?:bak|backup|old|orig|save|swp|sql|log|config|conf|cfg|ini|pem|key|db|sqlite|mdb|dbf|pwd|pass|dll|bat|cmd|vbs|asa|asax|htr|ida|idq|inc|lnk|pol|rdb|sys)(?:$|[?;#])/,
      'restricted file extension in the URL',
      { where: ['path'] },
    ),
  ],
};
