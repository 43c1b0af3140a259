import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ApiError } from '../../engine/api/client.ts';
import { eventually, startEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'organisms', 'demo.yaml');

test('the demo organism answers through the gateway and the API shows it alive', async () => {
  await using t = await startEngine({ file: DEMO, api: true });
  const api = t.api!;
  const organism = await api.organism();
  assert.deepEqual(organism.cells.map((c) => c.name).sort(), [
    'accounts',
    'cart',
    'catalog',
    'checkout',
    'inventory',
    'payments',
    'pricing',
  ]);
  // This test hammers the gateway from one address as fast as it can, which the demo's anomaly
  // layer rightly reads as a flood: the immune chain has its own tests, so it is switched off here.
  await api.setImmune(false);
  // catalog has a 2 s startup delay: until then /products has no ready replica.
  await eventually(async () => (await http(`${t.gateway}/products`)).status === 200, 5000);
  const statuses: number[] = [];
  for (let i = 0; i < 40; i++) statuses.push((await http(`${t.gateway}/products`)).status);
  assert.ok(statuses.filter((s) => s === 200).length >= 38, `statuses ${statuses.join(',')}`);
  const checkout = await http(`${t.gateway}/checkout`, { method: 'POST', body: '{"cart":1}' });
  assert.ok([200, 502].includes(checkout.status), `checkout ${checkout.status}`);
  assert.equal((await http(`${t.gateway}/nope`)).status, 404);
  assert.equal((await http(`${t.gateway}/products`, { method: 'DELETE' })).status, 405);

  // Live metrics: the next frame counts those requests on the route and on the cells behind it.
  const frame = await eventually(async () => {
    const cells = await api.cells();
    const catalog = cells.find((c) => c.name === 'catalog');
    return catalog?.stats && catalog.stats.count > 0 ? catalog : undefined;
  }, 3000);
  assert.ok(frame, 'catalog shows traffic in its stats');
  const metrics = await api.metrics();
  const route = metrics.frames.flatMap((f) => f.routes).filter((r) => r.route === 'GET /products');
  assert.ok(route.reduce((s, r) => s + r.count, 0) >= 40);
  // Each served list called inventory once; the last calls land in the next frame (one per second).
  const edgeCalls = await eventually(async () => {
    const n = (await api.metrics()).frames
      .flatMap((f) => f.edges)
      .filter((e) => e.from === 'catalog' && e.to === 'inventory')
      .reduce((s, e) => s + e.count, 0);
    return n >= 40 ? n : undefined;
  }, 3000);
  assert.ok(edgeCalls, 'catalog → inventory calls are counted as an edge');

  // Prometheus text.
  const prom = await http(`${api.base}/metrics`, { headers: { authorization: `Bearer ${api.token}` } });
  assert.equal(prom.status, 200);
  assert.match(prom.body, /petri_gateway_requests_total\{route="GET \/products",code="200"\} \d+/);
  assert.match(prom.body, /petri_gateway_request_duration_seconds_bucket\{route="GET \/products",le="\+Inf"\} \d+/);
  assert.match(prom.body, /petri_cell_replicas\{cell="catalog"\} 2/);
});

test('cells are spawned, scaled and removed through the API; bad input changes nothing', async () => {
  await using t = await startEngine({ file: DEMO, api: true });
  const api = t.api!;
  const spawned = await api.spawnCell({
    name: 'search',
    replicas: 1,
    operations: [{ name: 'find', latency: { p50: '2ms', p99: '9ms' } }],
  });
  assert.equal(spawned.name, 'search');
  await api.scaleCell('search', 3);
  const ready = await eventually(
    async () => (await api.cells()).find((c) => c.name === 'search')!.replicas.filter((r) => r.state === 'ready').length === 3,
  );
  assert.ok(ready, 'three ready replicas');

  const before = JSON.stringify((await api.cells()).map((c) => [c.name, c.desired]));
  const bad = await api.spawnCell({ name: 'Bad Name', operations: [] } as never).catch((e: unknown) => e);
  assert.ok(bad instanceof ApiError);
  assert.equal(bad.status, 400);
  assert.equal(bad.problem?.status, 400);
  assert.ok(
    bad.problem?.errors?.some((e) => e.path === 'name'),
    JSON.stringify(bad.problem),
  );
  const badCall = await api
    .spawnCell({
      name: 'orphan',
      operations: [{ name: 'x', latency: { p50: '1ms', p99: '2ms' }, calls: [{ cell: 'nowhere', op: 'y' }] }],
    })
    .catch((e: unknown) => e as ApiError);
  assert.equal((badCall as ApiError).status, 400);
  assert.match((badCall as ApiError).message, /unknown cell 'nowhere'/);
  const dup = await api
    .spawnCell({ name: 'search', operations: [{ name: 'x', latency: { p50: '1ms', p99: '2ms' } }] })
    .catch((e: unknown) => e as ApiError);
  assert.equal((dup as ApiError).status, 409);
  const badScale = await api.request('POST', '/api/cells/search/scale', { replicas: -2 }).catch((e: unknown) => e as ApiError);
  assert.equal((badScale as ApiError).status, 400);
  const unknown = await api.scaleCell('ghost', 1).catch((e: unknown) => e as ApiError);
  assert.equal((unknown as ApiError).status, 404);
  const notJson = await http(`${api.base}/api/cells`, {
    method: 'POST',
    body: '{oops',
    headers: { authorization: `Bearer ${api.token}` },
  });
  assert.equal(notJson.status, 400);
  assert.equal(notJson.headers['content-type'], 'application/problem+json');
  assert.equal(JSON.stringify((await api.cells()).map((c) => [c.name, c.desired])), before, 'no bad request changed anything');

  await api.removeCell('search');
  assert.ok(!(await api.cells()).some((c) => c.name === 'search'));
  const events = await eventually(async () => {
    const page = await api.events({ cell: 'search' });
    return page.events.some((e) => e.type === 'cell.removed') ? page.events : undefined;
  });
  assert.ok(events);
  assert.deepEqual(
    [...new Set(events.map((e) => e.type))].sort(),
    ['cell.removed', 'cell.spawned', 'replica.ready', 'replica.started', 'replica.stopped'].sort(),
  );
});

test('every route but health needs the token; hosts other than loopback are refused', async () => {
  await using t = await startEngine({ file: DEMO, api: true });
  const base = t.api!.base;
  assert.equal((await http(`${base}/api/health`)).status, 200);
  const noToken = await http(`${base}/api/cells`);
  assert.equal(noToken.status, 401);
  assert.equal(noToken.headers['www-authenticate'], 'Bearer realm="petri"');
  assert.equal((await http(`${base}/api/cells`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.equal((await http(`${base}/metrics`)).status, 401);
  assert.equal((await http(`${base}/api/health`, { headers: { host: 'evil.example:80' } })).status, 421);
  assert.equal((await http(`${base}/api/nothing`, { headers: { authorization: `Bearer ${t.api!.token}` } })).status, 404);
  const events = await t.api!.events({ type: ['no.such'] }).catch((e: unknown) => e as ApiError);
  assert.equal((events as ApiError).status, 400);
});
