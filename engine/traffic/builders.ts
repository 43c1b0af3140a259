/**
 * Request builders by kind: ordinary traffic and the attacks. Each attack produces the requests it
 * claims (tests inspect what reached the gateway); every request carries its stream's tag so
 * evaluations know the ground truth — the gateway never uses the tag for decisions.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { fillPath, normalRequest, type BuildContext, type RequestBuilder, type RequestPlan } from './requests.ts';

const USERS = [
  'admin',
  'root',
  'alice',
  'bob',
  'carol',
  'dave',
  'eve',
  'mallory',
  'oscar',
  'trent',
  'support',
  'test',
  'guest',
  'info',
  'sales',
];
const PASSWORDS = [
  '123456',
  'password',
  'qwerty',
  '111111',
  'letmein',
  'dragon',
  'monkey',
  'sunshine',
  'iloveyou',
  'admin123',
  'welcome1',
  'Passw0rd!',
  'football',
  'baseball',
  'trustno1',
];

/** Login attempts with leaked-looking username/password pairs, all different. */
const credentialStuffing: RequestBuilder = ({ route, seq, rng }) => {
  const user = `${USERS[seq % USERS.length]}${seq >= USERS.length ? Math.floor(seq / USERS.length) : ''}@example.com`;
  const password = `${PASSWORDS[rng.int(PASSWORDS.length)]}${rng.int(100)}`;
  return {
    method: route.method === 'GET' ? 'POST' : route.method,
    path: fillPath(route.path, rng),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password }),
  };
};

/** Where an injection payload goes; rotated request by request. */
export const INJECTION_LOCATIONS = ['query', 'json', 'form', 'header', 'path'] as const;
export type InjectionLocation = (typeof INJECTION_LOCATIONS)[number];

/** The payload and location of injection request `seq` (deterministic: tests recompute it). */
export function injectionChoice(
  seq: number,
  payloads: Array<{ class: string; payload: string }>,
): {
  payload: { class: string; payload: string };
  location: InjectionLocation;
} {
  // Each pass over the payloads shifts the locations by one, so every payload visits every location.
  const round = Math.floor(seq / payloads.length);
  return {
    payload: payloads[seq % payloads.length]!,
    location: INJECTION_LOCATIONS[(seq + round) % INJECTION_LOCATIONS.length]!,
  };
}

/** Attack payloads from the project's corpus, spread over query, JSON body, form body, headers and path. */
const injection: RequestBuilder = ({ route, seq, rng, data }) => {
  const payloads = (data.payloads as Array<{ class: string; payload: string }> | undefined) ?? [
    { class: 'sqli', payload: "' OR 1=1--" },
  ];
  const { payload, location } = injectionChoice(seq, payloads);
  const p = payload.payload;
  const base = fillPath(route.path, rng);
  const plan: RequestPlan = { method: route.method, path: base, headers: {} };
  switch (location) {
    case 'query':
      plan.path = `${base}?q=${encodeURIComponent(p)}`;
      break;
    case 'json':
      plan.method = route.method === 'GET' ? 'POST' : route.method;
      plan.headers['content-type'] = 'application/json';
      plan.body = JSON.stringify({ comment: p, quantity: 1 });
      break;
    case 'form':
      plan.method = route.method === 'GET' ? 'POST' : route.method;
      plan.headers['content-type'] = 'application/x-www-form-urlencoded';
      plan.body = `comment=${encodeURIComponent(p)}&quantity=1`;
      break;
    case 'header':
      // Header values must be printable Latin-1: other characters go percent-encoded (an evasion
      // the WAF decodes anyway); CR/LF become spaces (raw header injection is the protocol class's).
      plan.headers['user-agent'] = p.replace(/[\r\n]/g, ' ').replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
      plan.headers['x-search'] = encodeURIComponent(p);
      break;
    case 'path':
      plan.path = `${base.replace(/\/$/, '')}/${encodeURIComponent(p)}`;
      break;
  }
  return plan;
};

/** Sequential id enumeration: /products/1, /products/2, … (or ?page=N when the route has no id). */
const scraping: RequestBuilder = ({ route, seq }) => {
  const id = String(seq + 1);
  const hasParam = route.path.includes('/:');
  const path = hasParam ? route.path.replace(/:[^/]+/, id).replace(/:[^/]+/g, '1') : `${route.path}?page=${id}`;
  return { method: 'GET', path, headers: { 'user-agent': 'python-requests/2.31.0', accept: '*/*' } };
};

const b64url = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** The forged-token variants, rotated: expired, unsigned (alg none), wrong issuer, bad signature, wrong audience. */
export const FORGED_VARIANTS = ['expired', 'unsigned', 'wrong-issuer', 'bad-signature', 'wrong-audience'] as const;

/** A JWT that a correct verifier must refuse, of the given variant. */
export function forgedToken(variant: (typeof FORGED_VARIANTS)[number], data: Record<string, unknown>, nowSec: number): string {
  const issuer = (data.issuer as string | undefined) ?? 'http://127.0.0.1/petri';
  const audience = (data.audience as string | undefined) ?? 'petri-gateway';
  const claims: Record<string, unknown> = {
    sub: 'user-42',
    iss: issuer,
    aud: audience,
    iat: nowSec - 60,
    exp: nowSec + 600,
    scope: 'orders:write',
  };
  if (variant === 'expired') Object.assign(claims, { iat: nowSec - 7200, exp: nowSec - 3600 });
  if (variant === 'wrong-issuer') claims.iss = 'https://evil.example/';
  if (variant === 'wrong-audience') claims.aud = 'someone-else';
  if (variant === 'unsigned') return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
  const header = b64url({ alg: 'HS256', typ: 'JWT', kid: 'petri-dev' });
  const body = b64url(claims);
  const key = randomBytes(32);
  const sig = createHmac('sha256', key).update(`${header}.${body}`).digest('base64url');
  return `${header}.${body}.${variant === 'bad-signature' ? sig.split('').reverse().join('') : sig}`;
}

const forged: RequestBuilder = (ctx: BuildContext) => {
  const plan = normalRequest(ctx);
  const variant = FORGED_VARIANTS[ctx.seq % FORGED_VARIANTS.length]!;
  plan.headers.authorization = `Bearer ${forgedToken(variant, ctx.data, Math.floor(Date.now() / 1000))}`;
  return plan;
};

/** Builders by kind (`slowloris` is handled by the worker itself: it is not a request). */
export const builders: Record<string, RequestBuilder> = {
  normal: normalRequest,
  flood: normalRequest,
  'distributed-flood': normalRequest,
  'credential-stuffing': credentialStuffing,
  injection,
  scraping,
  'forged-token': forged,
};
