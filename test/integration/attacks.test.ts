import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GatewayLayer, GatewayRequest } from '../../engine/gateway/index.ts';
import { injectionChoice } from '../../engine/traffic/index.ts';
import { loadCorpus } from '../../engine/faults/index.ts';
import { eventually, startEngine, type TestEngine } from '../helpers/engine.ts';

const SHOP = `apiVersion: petri/v1
kind: Organism
metadata: { name: target }
cells:
  - name: shop
    replicas: 2
    concurrency: 64
    operations:
      - { name: list, latency: { p50: 1ms, p99: 3ms } }
      - { name: get, latency: { p50: 1ms, p99: 3ms } }
      - { name: login, latency: { p50: 2ms, p99: 4ms }, errorRate: 1, errorStatus: 401 }
pathways:
  - { route: GET /products, to: shop.list }
  - { route: GET /products/:id, to: shop.get }
  - { route: POST /login, to: shop.login, login: true }
`;

/** A layer that records what reached the gateway (it never refuses anything). */
function recorder(): GatewayLayer & { seen: GatewayRequest[] } {
  const seen: GatewayRequest[] = [];
  return { name: 'recorder', seen, inspect: (req) => void seen.push({ ...req, headers: { ...req.headers } }) };
}

/** The payload as placed in a request, undoing the placement's own encoding. */
function received(r: GatewayRequest, location: string): string {
  switch (location) {
    case 'query':
      return decodeURIComponent(r.query.slice(2));
    case 'header':
      return decodeURIComponent(String(r.headers['x-search']));
    case 'path':
      return decodeURIComponent(r.path.split('/').pop()!);
    case 'form':
      return decodeURIComponent(r.body!.toString().split('&')[0]!.slice('comment='.length));
    default:
      return (JSON.parse(r.body!.toString()) as { comment: string }).comment;
  }
}

/** Runs an attack for 1.5 s and returns the requests of it that reached the gateway. */
async function attack(t: TestEngine, spec: Record<string, unknown>): Promise<GatewayRequest[]> {
  // These tests are about the generator: the immune chain (which would quarantine a stuffer
  // before the recorder sees it) is switched off.
  t.engine.immune.setEnabled(false);
  const rec = recorder();
  t.engine.gateway.layers.push(rec);
  const info = t.engine.attacks.start({ ...spec, for: '1500ms' });
  const stopped = await eventually(
    () => t.engine.eventsRepo.query({ types: ['attack.stopped'] }).find((e) => e.data.name === info.name),
    10_000,
  );
  assert.ok(stopped, 'the attack ends at its duration');
  t.engine.gateway.layers.splice(t.engine.gateway.layers.indexOf(rec), 1);
  const seen = rec.seen.filter((r) => r.headers['x-petri-stream'] === info.name);
  // Everything the generator sent reached the gateway (slowloris excepted: it never completes).
  assert.equal(seen.length, stopped.data.sent, 'requests sent = requests seen by the gateway');
  return seen;
}

test('flood: a few clients at a high rate; distributed flood: many clients', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const flood = await attack(t, { kind: 'flood', route: 'GET /products', rate: 300, clients: 2 });
  // Rate accuracy is measured by the bench; here, on a possibly busy machine, most of the schedule.
  assert.ok(flood.length > 270, `${flood.length} requests in 1.5 s at 300/s`);
  assert.equal(new Set(flood.map((r) => r.client)).size, 2);
  assert.ok(flood.every((r) => /^127\.\d+\.\d+\.\d+$/.test(r.client) && r.client !== '127.0.0.1'));
  const wide = await attack(t, { kind: 'distributed-flood', route: 'GET /products', rate: 400, clients: 100 });
  const clients = new Set(wide.map((r) => r.client));
  assert.ok(clients.size > 85, `${clients.size} distinct clients of 100`);
  assert.ok(
    [...clients].every((c) => !new Set(flood.map((r) => r.client)).has(c)),
    'attacks use disjoint address blocks',
  );
});

test('credential stuffing: many failing logins with different credentials against the login route', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const seen = await attack(t, { kind: 'credential-stuffing', rate: 100, clients: 10 });
  assert.ok(seen.length > 80);
  assert.ok(seen.every((r) => r.method === 'POST' && r.path === '/login'));
  const bodies = seen.map((r) => JSON.parse(r.body!.toString()) as { username: string; password: string });
  assert.equal(new Set(bodies.map((b) => b.username)).size, bodies.length, 'every attempt uses another username');
  assert.ok(bodies.every((b) => b.password.length > 3));
  const refused = await eventually(() => {
    const rows = t.engine.metricsRepo
      .query({ runId: t.engine.runId, scope: 'stream' })
      .filter((r) => r.key.startsWith('credential-stuffing'));
    const n = rows.reduce((sum, r) => sum + r.c4xx, 0);
    return n >= seen.length ? n : 0;
  }, 3000);
  assert.equal(refused, seen.length, 'the login route refused every attempt (401)');
});

test('scraping: sequential id enumeration', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const seen = await attack(t, { kind: 'scraping', route: 'GET /products/:id', rate: 50 });
  // Requests overlap on the wire, so arrival order may differ slightly; the ids are 1..N, each once.
  const ids = seen.map((r) => Number(r.params.id)).sort((a, b) => a - b);
  assert.ok(ids.length > 40);
  assert.deepEqual(
    ids,
    ids.map((_, i) => i + 1),
  );
  assert.ok(
    seen.every((r) => r.client === seen[0]!.client),
    'one client enumerates',
  );
});

test('forged tokens: expired, unsigned, wrong issuer, bad signature and wrong audience JWTs', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const seen = await attack(t, { kind: 'forged-token', route: 'GET /products', rate: 50 });
  const decoded = seen.map((r) => {
    const [h, c, sig] = String(r.headers.authorization).replace('Bearer ', '').split('.');
    return {
      header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
      claims: JSON.parse(Buffer.from(c!, 'base64url').toString()),
      sig,
    };
  });
  const now = Date.now() / 1000;
  assert.ok(
    decoded.some((d) => d.header.alg === 'none' && d.sig === ''),
    'unsigned',
  );
  assert.ok(
    decoded.some((d) => d.claims.exp < now),
    'expired',
  );
  assert.ok(
    decoded.some((d) => d.claims.iss === 'https://evil.example/'),
    'wrong issuer',
  );
  assert.ok(
    decoded.some((d) => d.claims.aud === 'someone-else'),
    'wrong audience',
  );
  assert.ok(decoded.length > 40);
});

test('injection: corpus payloads spread over query, JSON body, form body, headers and path', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const payloads = loadCorpus();
  assert.ok(payloads.length > 100, `${payloads.length} payloads in the corpus`);
  const seen = await attack(t, { kind: 'injection', route: 'GET /products', rate: 200, clients: 2 });
  assert.ok(seen.length > 200);
  const where = new Map<string, number>();
  for (const r of seen) {
    const i = Number(r.headers['x-petri-seq']);
    const { payload, location } = injectionChoice(i, payloads);
    const text = received(r, location);
    assert.equal(text, payload.payload, `request ${i} (${location})`);
    where.set(location, (where.get(location) ?? 0) + 1);
  }
  assert.deepEqual([...where.keys()].sort(), ['form', 'header', 'json', 'path', 'query']);
});

test('slowloris: many connections with headers that never finish', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const before = t.engine.gateway.openConnections;
  const info = t.engine.attacks.start({ kind: 'slowloris', route: 'GET /products', rate: 100, clients: 40, for: '10s' });
  const held = await eventually(
    () => (t.engine.gateway.openConnections - before > 60 ? t.engine.gateway.openConnections : 0),
    3000,
  );
  assert.ok(held, `open connections rose to ${t.engine.gateway.openConnections}`);
  const route = t.engine.collector
    .frames()
    .flatMap((f) => f.routes)
    .filter((r) => r.route === 'GET /products');
  assert.equal(
    route.reduce((n, r) => n + r.count, 0),
    0,
    'no request ever completes its headers',
  );
  t.engine.attacks.stop(info.name);
  assert.ok(
    await eventually(() => t.engine.gateway.openConnections <= before, 3000),
    'stopping the attack closes its connections',
  );
});
