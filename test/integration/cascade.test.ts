import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate } from '../../engine/metrics/index.ts';
import { eventually, startEngine } from '../helpers/engine.ts';

function organism(breaker: boolean): string {
  return `apiVersion: petri/v1
kind: Organism
metadata: { name: cascade }
cells:
  - name: front
    replicas: 1
    concurrency: 64
    queue: 64
    operations:
      - name: get
        latency: { p50: 2ms, p99: 4ms }
        calls: [ { cell: back, op: read, timeout: 100ms, retries: 3 } ]
    resilience:
      retryBackoff: { base: 10ms, max: 40ms, jitter: 0.2 }
${breaker ? '      breaker: { errorRatio: 0.5, window: 2s, minRequests: 10, openFor: 3s, halfOpenProbes: 2 }' : ''}
  - name: back
    replicas: 1
    concurrency: 4
    queue: 1000
    operations:
      - { name: read, latency: { p50: 5ms, p99: 10ms } }
pathways:
  - { route: GET /front, to: front.get, timeout: 2s }
`;
}

interface Outcome {
  backCalls: number;
  frontErrors: number;
  shoppersP99: number;
  faultP50: number;
  breakerOpened: number;
}

/** 60 req/s on front for 6 s; back turns slow (+300 ms) from 1 s to 5 s. */
async function play(breaker: boolean): Promise<Outcome> {
  await using t = await startEngine({ yaml: organism(breaker) });
  const e = t.engine;
  const from = e.clock.now();
  e.traffic.start({ name: 'shoppers', route: 'GET /front', rate: 60, arrival: 'constant', clients: 10, for: '6s' });
  await new Promise((r) => setTimeout(r, 1000));
  e.faults.inject({ kind: 'latency', cell: 'back', add: '300ms', for: '4s' });
  await eventually(() => e.eventsRepo.query({ types: ['traffic.stopped'] }).length === 1, 15_000);
  await new Promise((r) => setTimeout(r, 1500));
  const to = e.clock.now();
  const rows = (scope: 'cell' | 'stream', key: string) =>
    e.metricsRepo.query({ runId: e.runId, scope, key, from: from - 1000, to });
  // Every call front made to back, retries included, is a request back received or refused.
  const edges = e.collector
    .frames()
    .flatMap((f) => f.edges)
    .filter((x) => x.from === 'front' && x.to === 'back');
  const shoppers = aggregate(rows('stream', 'shoppers'));
  return {
    backCalls: edges.reduce((n, x) => n + x.count, 0),
    frontErrors: shoppers.errorRate,
    shoppersP99: shoppers.p99,
    faultP50: aggregate(
      e.metricsRepo.query({ runId: e.runId, scope: 'stream', key: 'shoppers', from: from + 1500, to: from + 5000 }),
    ).p50,
    breakerOpened: e.eventsRepo.query({ types: ['breaker.opened'] }).length,
  };
}

test('a slow dependency with retries amplifies load; a circuit breaker limits the damage', async () => {
  const without = await play(false);
  const withBreaker = await play(true);
  console.log('without breaker', without, 'with breaker', withBreaker);
  const requests = 60 * 6;
  // Without a breaker every failing call is retried three times: back sees far more calls than requests.
  assert.ok(without.backCalls > requests * 1.8, `retry storm: ${without.backCalls} calls to back for ${requests} requests`);
  assert.equal(without.breakerOpened, 0);
  assert.ok(withBreaker.breakerOpened >= 1, 'the breaker opened');
  assert.ok(withBreaker.backCalls < without.backCalls * 0.6, `breaker: ${withBreaker.backCalls} calls vs ${without.backCalls}`);
  // Failing fast: while the dependency is slow (its queue holds every call, so callers wait out
  // their timeouts), shoppers without a breaker wait out the retry budget; with it, they get an
  // immediate 502 once it is open.
  assert.ok(
    withBreaker.faultP50 < without.faultP50 * 0.5,
    `p50 during the fault: ${withBreaker.faultP50.toFixed(0)} ms with the breaker vs ${without.faultP50.toFixed(0)} ms`,
  );
});
