import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewayRequest } from '../../gateway/index.ts';
import type { PathwaySpec } from '../../organism/index.ts';
import { FEATURE_COUNT, FEATURE_NAMES, FeatureExtractor, type FeatureName } from './features.ts';
import { metacharShare, numericId, payloadEntropy } from './payload.ts';

const T0 = Date.UTC(2026, 0, 1);

function pathway(route: string): PathwaySpec {
  const [method, path] = route.split(' ') as [string, string];
  return { route, method, path } as unknown as PathwaySpec;
}

const PRODUCTS = pathway('GET /products/:id');
const LOGIN = pathway('POST /login');

function req(client: string, now: number, over: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: 'GET',
    path: '/products/7',
    query: '',
    headers: {},
    client,
    pathway: PRODUCTS,
    params: { id: '7' },
    body: undefined,
    now,
    notes: {},
    ...over,
  };
}

function features(x: FeatureExtractor, client: string, at: number): Record<FeatureName, number> {
  const v = new Float64Array(FEATURE_COUNT);
  assert.ok(x.vector(client, at, v));
  return Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, v[i]!])) as Record<FeatureName, number>;
}

test('payload measurements: entropy, metacharacters, numeric ids', () => {
  assert.equal(payloadEntropy('', undefined), 0);
  assert.equal(payloadEntropy('aaaa', undefined), 0);
  assert.ok(Math.abs(payloadEntropy('ab', Buffer.from('ab')) - 1) < 1e-12, 'two equally likely bytes: 1 bit');
  assert.ok(Math.abs(payloadEntropy('', Buffer.from(Array.from({ length: 256 }, (_, i) => i))) - 8) < 1e-12);
  assert.equal(metacharShare('/products/7', '', Buffer.from('{"item":3,"quantity":1}')), 0, 'JSON structure is not code');
  assert.ok(metacharShare('/products', 'q=%27%20OR%201%3D1--', undefined) > 0.03, 'a decoded quote counts');
  assert.ok(metacharShare('/x', '', Buffer.from('<script>alert(1)</script>')) > 0.2);
  assert.equal(numericId({ id: '42' }, ''), 42);
  assert.equal(numericId({ name: 'vega' }, 'page=9&x=1'), 9);
  assert.ok(Number.isNaN(numericId({}, 'q=abc')));
});

test('a steady reader: rate, no errors, random ids, Poisson-like gaps', () => {
  const x = new FeatureExtractor();
  let t = T0;
  for (let i = 0; i < 40; i++) {
    t += 500 + ((i * 379) % 600); // irregular gaps around 0.8 s
    const id = String(1 + ((i * 617) % 1000));
    x.observe(req('10.0.0.1', t, { path: `/products/${id}`, params: { id } }), 200);
  }
  const f = features(x, '10.0.0.1', t);
  assert.ok(f.rate > 0.1 && f.rate < 0.2, `≈ 1.2 req/s → ${f.rate}`);
  assert.equal(f.clientErrors, 0);
  assert.equal(f.writes, 0);
  assert.equal(f.distinctPaths, 1);
  assert.equal(f.idEnumeration, 0);
  assert.ok(f.arrivalCv > 0.05 && f.arrivalCv < 0.34);
  assert.equal(f.credentialChurn, 0);
  for (const name of FEATURE_NAMES) assert.ok(f[name] >= 0 && f[name] <= 1, `${name} in [0, 1]: ${f[name]}`);
});

test('a scraper enumerates ids at a constant pace; a stuffer fails logins with new bodies', () => {
  const x = new FeatureExtractor();
  for (let i = 0; i < 30; i++) {
    const id = String(i + 1);
    // finishing slightly out of order must not hide the enumeration
    const now = T0 + i * 100 + (i % 2 ? 3 : 0);
    x.observe(req('10.0.0.2', now, { path: `/products/${id}`, params: { id } }), 200);
  }
  const s = features(x, '10.0.0.2', T0 + 3000);
  assert.ok(s.idEnumeration > 0.9, `enumeration ${s.idEnumeration}`);
  assert.ok(s.arrivalCv < 0.05, `regular arrivals ${s.arrivalCv}`);
  assert.ok(s.rate > 0.3, `10 req/s → ${s.rate}`);

  for (let i = 0; i < 20; i++) {
    const body = Buffer.from(JSON.stringify({ username: `user${i}@example.com`, password: `pw${i * 7}` }));
    x.observe(
      req('10.0.0.3', T0 + i * 200, { method: 'POST', path: '/login', pathway: LOGIN, params: {}, body }),
      i % 3 ? 401 : 200,
    );
  }
  const c = features(x, '10.0.0.3', T0 + 4000);
  assert.equal(c.writes, 1);
  assert.ok(Math.abs(c.authFailures - 13 / 20) < 1e-9);
  assert.ok(c.payloadEntropy > 0.45 && c.payloadShare === 1);
});

test('rotating credentials are churn; one reused token is not', () => {
  const x = new FeatureExtractor();
  for (let i = 0; i < 10; i++) {
    x.observe(req('10.0.0.4', T0 + i * 100, { headers: { authorization: `Bearer forged-${i}` } }), 200);
    x.observe(req('10.0.0.5', T0 + i * 100, { headers: { authorization: 'Bearer the-same' } }), 200);
  }
  assert.equal(features(x, '10.0.0.4', T0 + 1000).credentialChurn, 1);
  assert.equal(features(x, '10.0.0.5', T0 + 1000).credentialChurn, 0);
});

test('the ground-truth headers are never features', () => {
  const a = new FeatureExtractor();
  const b = new FeatureExtractor();
  for (let i = 0; i < 10; i++) {
    a.observe(req('10.0.0.6', T0 + i * 50), 200);
    b.observe(req('10.0.0.6', T0 + i * 50, { headers: { 'x-petri-stream': 'flood-1', 'x-petri-seq': String(i) } }), 200);
  }
  assert.deepEqual(features(a, '10.0.0.6', T0 + 600), features(b, '10.0.0.6', T0 + 600));
});

test('a route surge and its new clients are seen against the route past', () => {
  const x = new FeatureExtractor();
  // two minutes of one request per second from an old client…
  for (let s = 0; s < 120; s++) x.observe(req('10.0.0.7', T0 + s * 1000), 200);
  // …then 50 new clients at 4 req/s each for 3 s
  const start = T0 + 120_000;
  for (let k = 0; k < 3 * 4; k++) for (let c = 0; c < 50; c++) x.observe(req(`10.1.0.${c}`, start + k * 250 + c), 200);
  const newcomer = features(x, '10.1.0.1', start + 3000);
  assert.ok(newcomer.routeSurge > 0.5, `surge ${newcomer.routeSurge}`);
  assert.ok(newcomer.routeNewClients > 0.9, `new-client share ${newcomer.routeNewClients}`);
  assert.ok(newcomer.age < 0.2);
});

test('windows forget: the rate decays with time, idle clients are evicted, the cap holds', () => {
  const x = new FeatureExtractor({ idleMs: 5000, maxClients: 3 });
  for (let i = 0; i < 50; i++) x.observe(req('10.0.0.8', T0 + i * 10), 200);
  assert.ok(features(x, '10.0.0.8', T0 + 600).rate > 0.4, '50 requests in half a second: 25 req/s over the 2 s minimum span');
  assert.equal(features(x, '10.0.0.8', T0 + 20_000).rate, 0, 'nothing in the last 10 s');
  for (let c = 0; c < 5; c++) x.observe(req(`10.0.1.${c}`, T0 + 21_000 + c), 200);
  assert.equal(x.size, 6);
  assert.equal(x.evict(T0 + 21_010), 3, 'one idle client, then the two least recently seen beyond the cap');
  assert.deepEqual(
    ['10.0.0.8', '10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4'].map((c) => x.has(c)),
    [false, false, false, true, true, true],
  );
  assert.deepEqual(x.takeActive().sort(), ['10.0.0.8', '10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4']);
  assert.deepEqual(x.takeActive(), [], 'taken once');
});
