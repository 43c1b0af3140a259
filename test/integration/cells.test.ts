import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';
import { phaseP50 } from '../helpers/measure.ts';

const SLOW = `apiVersion: petri/v1
kind: Organism
metadata: { name: slow }
cells:
  - name: slow
    replicas: 1
    concurrency: 2
    queue: 3
    startup: 3s
    operations:
      - { name: work, latency: { p50: 200ms, p99: 200ms } }
  - name: fast
    replicas: 1
    operations:
      - { name: hit, latency: { p50: 20ms, p99: 20ms } }
      - { name: fail, latency: { p50: 1ms, p99: 1ms }, errorRate: 1, errorStatus: 500 }
  - name: front
    replicas: 1
    operations:
      - name: proxy
        latency: { p50: 1ms, p99: 1ms }
        calls: [ { cell: fast, op: fail, timeout: 100ms, retries: 2 } ]
pathways:
  - { route: GET /work, to: slow.work }
  - { route: GET /hit, to: fast.hit }
  - { route: GET /proxy, to: front.proxy }
`;

test('a replica takes traffic only after its startup delay', async () => {
  await using t = await startEngine({ yaml: SLOW });
  const early = await http(`${t.gateway}/work`);
  assert.equal(early.status, 503, 'no ready replica yet: 503');
  const ok = await eventually(async () => (await http(`${t.gateway}/work`)).status === 200, 6000, 100);
  assert.ok(ok);
});

test('concurrency slots and the queue bound a replica; the rest is refused with 503', async () => {
  await using t = await startEngine({ yaml: SLOW });
  await eventually(async () => (await http(`${t.gateway}/work`)).status === 200, 6000, 100);
  // 2 slots + 3 queued = 5 accepted at once; 3 more must be refused immediately.
  const results = await Promise.all(Array.from({ length: 8 }, () => http(`${t.gateway}/work`)));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 503, 503, 503]);
  const refused = results.filter((r) => r.status === 503);
  assert.ok(
    // …before any accepted request, which takes its 200 ms of work at least.
    refused.every((r) => r.ms < Math.min(...results.filter((x) => x.status === 200).map((x) => x.ms))),
    'refusals are immediate',
  );
  const served = results
    .filter((r) => r.status === 200)
    .map((r) => r.ms)
    .sort((a, b) => a - b);
  // Two waves and a half: the queued ones wait for a slot.
  assert.ok(served[4]! > 550, `the last queued request waited for two earlier waves (${served[4]!.toFixed(0)} ms)`);
});

test('latencyFactor and errorRate signals change a cell live', async () => {
  await using t = await startEngine({ yaml: SLOW });
  await phaseP50(t, '/hit', 'GET /hit', 500); // warm up
  const base = await phaseP50(t, '/hit', 'GET /hit', 1500);
  assert.ok(base >= 19 && base < 30, `base p50 ${base} ms for a 20 ms operation`);
  await t.engine.signals.set('fast.latencyFactor', 3, 'api');
  await new Promise((r) => setTimeout(r, 300)); // the cell watches KV: well under a second
  const slowed = await phaseP50(t, '/hit', 'GET /hit', 1500);
  assert.ok(slowed >= 57 && slowed < 70, `p50 ${slowed} ms with latencyFactor 3`);
  await t.engine.signals.set('fast.latencyFactor', 1, 'api');
  await t.engine.signals.set('fast.errorRate', 1, 'api');
  const failing = await eventually(async () => (await http(`${t.gateway}/hit`)).status === 500, 2000);
  assert.ok(failing, 'errorRate 1 makes every request fail');
  await t.engine.signals.set('fast.errorRate', null, 'api');
  assert.ok(await eventually(async () => (await http(`${t.gateway}/hit`)).status === 200, 2000));
  await assert.rejects(t.engine.signals.set('fast.errorRate', 2, 'api'), /must be ≤ 1/);
});

test('a failing downstream is retried, then reported as 502 to the caller', async () => {
  await using t = await startEngine({ yaml: SLOW });
  const r = await http(`${t.gateway}/proxy`);
  assert.equal(r.status, 502);
  assert.match(r.body, /fast\.fail/);
  const frame = t.engine.collector.tick();
  const edge = frame.edges.find((e) => e.from === 'front' && e.to === 'fast');
  assert.equal(edge?.count, 3, 'one attempt and two retries');
  assert.equal(edge?.errors, 3);
});

test("the gateway reports what it adds to a cell's own time, per route and in /metrics", async () => {
  await using t = await startEngine({ yaml: SLOW, api: true });
  for (let i = 0; i < 40; i++) assert.equal((await http(`${t.gateway}/hit`)).status, 200);
  const frame = await eventually(() =>
    t.engine.collector.frames().find((f) => f.routes.some((r) => r.route === 'GET /hit' && r.count >= 10)),
  );
  const route = frame!.routes.find((r) => r.route === 'GET /hit')!;
  // A 20 ms operation: the latency is the cell's, the overhead is the gateway's and the bus's.
  assert.ok(route.p50 >= 19, `route p50 ${route.p50} ms`);
  assert.ok(route.overheadP50 > 0 && route.overheadP50 < 5, `overhead p50 ${route.overheadP50} ms`);
  assert.ok(route.overheadP50 < route.p50 / 4, 'the overhead excludes the time spent in the cell');
  const text = await (await fetch(`${t.server!.url}/metrics?token=${t.server!.token}`)).text();
  const count = /petri_gateway_overhead_seconds_count\{route="GET \/hit"\} (\d+)/.exec(text);
  assert.equal(Number(count?.[1]), 40, 'every answered request is in the overhead histogram');
  assert.match(text, /petri_engine_event_loop_delay_seconds\{quantile="0.99"\} \d/);
});
