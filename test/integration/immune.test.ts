import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { forgedToken, FORGED_VARIANTS } from '../../engine/traffic/index.ts';
import { eventually, startEngine, type TestEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';

const SHOP = `apiVersion: petri/v1
kind: Organism
metadata: { name: guarded }
cells:
  - name: shop
    replicas: 2
    concurrency: 128
    queue: 256
    operations:
      - { name: list, latency: { p50: 1ms, p99: 3ms } }
      - { name: login, latency: { p50: 2ms, p99: 4ms }, credentials: true }
      - { name: orders, latency: { p50: 1ms, p99: 3ms } }
pathways:
  - { route: GET /products, to: shop.list }
  - { route: GET /products/:id, to: shop.list }
  - { route: POST /login, to: shop.login, login: true }
  - { route: GET /orders, to: shop.orders, auth: jwt, scopes: [orders:read] }
immune:
  rateLimit: { perClient: { rps: 50, burst: 100 }, escalateAfter: 50 }
  waf: { mode: block }
  quarantine: { for: 3s }
`;

async function token(t: TestEngine, scope: string): Promise<string> {
  const r = await http(`${t.gateway}/oauth/token`, {
    method: 'POST',
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'tester', scope }),
  });
  assert.equal(r.status, 200, r.body);
  return (JSON.parse(r.body) as { access_token: string }).access_token;
}

test('authentication: the local issuer, bearer tokens, scopes, and forged tokens refused with proper challenges', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const disco = JSON.parse((await http(`${t.gateway}/.well-known/openid-configuration`)).body) as {
    issuer: string;
    jwks_uri: string;
  };
  assert.equal(disco.issuer, t.gateway);
  const jwks = JSON.parse((await http(disco.jwks_uri)).body) as { keys: Array<{ kty: string; alg: string; kid: string }> };
  assert.deepEqual([jwks.keys[0]!.kty, jwks.keys[0]!.alg], ['EC', 'ES256']);

  const missing = await http(`${t.gateway}/orders`);
  assert.equal(missing.status, 401);
  assert.equal(missing.headers['www-authenticate'], 'Bearer realm="petri", scope="orders:read"');
  const good = await http(`${t.gateway}/orders`, { headers: { authorization: `Bearer ${await token(t, 'orders:read')}` } });
  assert.equal(good.status, 200, good.body);
  const weak = await http(`${t.gateway}/orders`, { headers: { authorization: `Bearer ${await token(t, 'profile')}` } });
  assert.equal(weak.status, 403);
  assert.equal(weak.headers['www-authenticate'], 'Bearer realm="petri", error="insufficient_scope", scope="orders:read"');
  // The forged tokens are HS256 (or unsigned): refused for their algorithm before any claim is read.
  const problems: Record<string, string> = {
    expired: 'algorithm',
    unsigned: 'unsigned',
    'wrong-issuer': 'algorithm',
    'bad-signature': 'algorithm',
    'wrong-audience': 'algorithm',
  };
  for (const variant of FORGED_VARIANTS) {
    const forged = forgedToken(variant, { issuer: t.gateway, audience: 'petri-gateway' }, Math.floor(Date.now() / 1000));
    const r = await http(`${t.gateway}/orders`, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(r.status, 401, variant);
    assert.match(
      String(r.headers['www-authenticate']),
      new RegExp(`error="invalid_token", error_description="${problems[variant]}"`),
      variant,
    );
  }
  // Correctly signed, but expired / wrong audience / wrong issuer: the claims are checked too.
  const issuer = t.engine.immune.issuer;
  const expired = await issuer.mint('x', ['orders:read'], -120);
  assert.match(
    String((await http(`${t.gateway}/orders`, { headers: { authorization: `Bearer ${expired}` } })).headers['www-authenticate']),
    /expired/,
  );
  const parts = (await token(t, 'orders:read')).split('.');
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
  for (const [field, value] of [
    ['iss', 'https://elsewhere.example'],
    ['aud', 'other-api'],
  ] as const) {
    const tampered = `${parts[0]}.${Buffer.from(JSON.stringify({ ...claims, [field]: value })).toString('base64url')}.${parts[2]}`;
    const r = await http(`${t.gateway}/orders`, { headers: { authorization: `Bearer ${tampered}` } });
    assert.match(String(r.headers['www-authenticate']), /bad signature/, `a token whose ${field} was changed`);
  }
});

test('rate limits: 429 with Retry-After past the burst, and the limit follows its signal live', async () => {
  await using t = await startEngine({ yaml: SHOP });
  // A low limit (5/s, burst 10) through its signal, so a busy machine cannot refill it mid-test.
  await t.engine.signals.set('immune.rateLimit.perClient.rps', 5, 'api');
  await eventually(() => t.engine.immune.rateLimit.perClientRps === 5, 2000);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 }); // a browser-like client: few connections
  const started = performance.now();
  const statuses = (await Promise.all(Array.from({ length: 40 }, () => http(`${t.gateway}/products`, { agent })))).map(
    (r) => r.status,
  );
  const seconds = (performance.now() - started) / 1000;
  const passed = statuses.filter((s) => s === 200).length;
  assert.ok(passed >= 10 && passed <= 10 + Math.ceil(seconds * 5) + 1, `${passed} of 40 passed in ${seconds.toFixed(2)} s`);
  assert.equal(statuses.filter((s) => s === 429).length, 40 - passed);
  const refused = await http(`${t.gateway}/products`, { agent });
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers['retry-after']) >= 1);
  await t.engine.signals.set('immune.rateLimit.perClient.rps', 1000, 'api');
  await eventually(() => t.engine.immune.rateLimit.perClientRps === 1000, 2000);
  assert.equal((await http(`${t.gateway}/products`, { agent })).status, 200, 'the new limit applies without a restart');
  agent.destroy();
});

/**
 * ms from an attack's start until it is contained: its clients are part of an incident of `kind`
 * and refused (quarantined).
 */
async function containment(t: TestEngine, attack: string, kind: string): Promise<number> {
  const e = t.engine;
  const addresses = new Set(e.generator.addresses(attack));
  const found = await eventually(() => {
    const started = e.eventsRepo.query({ types: ['attack.started'] }).find((x) => x.data.name === attack);
    if (!started) return undefined;
    const incident = e.immune.incidents.list(1000).find((i) => i.kind === kind && i.clients.some((c) => addresses.has(c)));
    const quarantined = e.eventsRepo
      .query({ types: ['immune.quarantined'], from: started.time })
      .find((x) => addresses.has(String(x.data.client)));
    return incident && quarantined ? Math.max(quarantined.time, incident.openedAt) - started.time : undefined;
  }, 8000);
  assert.ok(found !== undefined, `a ${kind} incident for ${attack}, and its clients quarantined`);
  return found;
}

test('a flood is contained within 2 s with no legitimate client quarantined; the same clients returning are contained 2× faster', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const e = t.engine;
  e.traffic.start({ name: 'shoppers', route: 'GET /products', rate: 40, clients: 50 });
  await new Promise((r) => setTimeout(r, 1000));
  e.attacks.start({ name: 'flood-1', kind: 'flood', route: 'GET /products', rate: 800, clients: 2, for: '2s' });
  const first = await containment(t, 'flood-1', 'rate-abuse');
  const attackers = new Set(e.generator.addresses('flood-1'));
  await eventually(() => !e.generator.has('flood-1'), 5000);
  const quarantined = e.eventsRepo.query({ types: ['immune.quarantined'] }).map((x) => String(x.data.client));
  assert.ok(quarantined.length >= 1 && quarantined.every((c) => attackers.has(c)), `quarantined ${quarantined.join(', ')}`);
  // Let the 3 s quarantine end, then the same two clients come back.
  await eventually(
    () =>
      e.immune.quarantines.list().length === 0 ||
      (e.immune.expired().forEach((q) => e.immune.quarantines.release(q.id, 'expired')), false),
    6000,
    200,
  );
  e.attacks.start({
    name: 'flood-2',
    kind: 'flood',
    route: 'GET /products',
    rate: 800,
    clients: 2,
    for: '2s',
    sameClientsAs: 'flood-1',
  });
  const second = await containment(t, 'flood-2', 'rate-abuse');
  console.log(
    `flood contained after ${first} ms; the returning flood after ${second} ms (${(first / Math.max(1, second)).toFixed(1)}× faster)`,
  );
  assert.ok(first <= 2000, `first flood contained after ${first} ms`);
  assert.ok(second * 2 <= first, `returning flood contained after ${second} ms vs ${first} ms`);
  const shoppers = e.generator.addresses('shoppers');
  assert.ok(
    shoppers.every((c) => !quarantined.includes(c)),
    'no shopper quarantined',
  );
  const stats = e.collector
    .frames()
    .flatMap((f) => f.streams)
    .filter((s) => s.name === 'shoppers');
  assert.equal(
    stats.reduce((n, s) => n + s.blocked, 0),
    0,
    'no shopper refused',
  );
});

test('credential stuffing and injection open their incidents; slow-header floods are cut at the connection', async () => {
  await using t = await startEngine({ yaml: SHOP });
  const e = t.engine;
  e.attacks.start({ name: 'stuffing', kind: 'credential-stuffing', rate: 60, clients: 4, for: '3s' });
  await containment(t, 'stuffing', 'credential-abuse');
  e.attacks.start({ name: 'probe', kind: 'injection', route: 'GET /products', rate: 40, clients: 2, for: '2s' });
  await containment(t, 'probe', 'injection');
  const blocked = await eventually(
    () => e.eventsRepo.query({ types: ['immune.blocked'] }).find((x) => x.data.layer === 'waf'),
    3000,
  );
  assert.ok(blocked, 'WAF refusals are events with evidence');
  assert.ok(Array.isArray((blocked.data.evidence as { matches?: unknown[] }).matches));
  e.attacks.start({ name: 'slow', kind: 'slowloris', route: 'GET /products', rate: 200, clients: 2, for: '3s' });
  await containment(t, 'slow', 'rate-abuse');
  const held = e.generator.addresses('slow').map((c) => t.engine.gateway.connectionsOf(c));
  assert.ok(
    held.every((n) => n <= 16),
    `connections held per slow client: ${held.join(', ')}`,
  );
});
