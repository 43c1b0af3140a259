import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from '../../metrics/index.ts';
import type { RollupRow } from '../../store/index.ts';
import { compactMinute, mergeMinute } from './compact-metrics.ts';

function routeRow(t: number, latencies: number[]): RollupRow {
  const h = new Histogram();
  for (const l of latencies) h.record(l);
  return {
    runId: 1,
    scope: 'route',
    key: 'GET /x',
    t,
    span: 1000,
    count: latencies.length,
    ok: latencies.length - 1,
    c4xx: 0,
    c5xx: 1,
    timeouts: 0,
    blocked: 0,
    p50: h.quantile(0.5),
    p95: h.quantile(0.95),
    p99: h.quantile(0.99),
    max: h.max,
    hist: h.toData(),
  };
}

test('per-second rows with histograms merge into a minute whose quantiles equal the window over the seconds', () => {
  const minute = 60_000 * 1000;
  const rows = Array.from({ length: 60 }, (_, s) => routeRow(minute + s * 1000, [1 + s, 5 + (s % 7) * 3, 40 + s * 2, 2]));
  const merged = mergeMinute(rows, minute);
  const window = new Histogram();
  for (const r of rows) window.mergeData(r.hist!, r.max);
  assert.equal(merged.t, minute);
  assert.equal(merged.span, 60_000);
  assert.equal(merged.count, 240);
  assert.equal(merged.ok, 180);
  assert.equal(merged.c5xx, 60);
  assert.equal(merged.max, 40 + 59 * 2);
  assert.equal(merged.p50, window.quantile(0.5));
  assert.equal(merged.p95, window.quantile(0.95));
  assert.equal(merged.p99, window.quantile(0.99));
  assert.deepEqual(merged.hist, window.toData());
  // Compacting again (a compacted minute plus nothing) changes nothing.
  assert.deepEqual(mergeMinute([merged], minute), merged);
});

test('rows without histograms: weighted p50/p95, highest p99, averaged and maxed gauges', () => {
  const cell = (t: number, count: number, p50: number, p99: number, utilization: number, replicas: number): RollupRow => ({
    runId: 1,
    scope: 'cell',
    key: 'catalog',
    t,
    span: 1000,
    count,
    ok: count,
    c4xx: 0,
    c5xx: 0,
    timeouts: 0,
    blocked: 0,
    p50,
    p95: p50 * 2,
    p99,
    max: p99 + 1,
    utilization,
    queue: utilization * 10,
    replicas,
    hist: null,
  });
  const merged = mergeMinute([cell(0, 10, 10, 50, 0.2, 2), cell(1000, 30, 20, 30, 0.6, 3)], 0);
  assert.equal(merged.count, 40);
  assert.equal(merged.p50, (10 * 10 + 30 * 20) / 40);
  assert.equal(merged.p95, (10 * 20 + 30 * 40) / 40);
  assert.equal(merged.p99, 50);
  assert.equal(merged.max, 51);
  assert.ok(Math.abs(merged.utilization! - 0.4) < 1e-12);
  assert.ok(Math.abs(merged.queue! - 4) < 1e-12);
  assert.equal(merged.replicas, 3);
  assert.equal(merged.hist, null);
});

test('a minute holds one merged row per run, scope and key', () => {
  const a = routeRow(0, [1, 2]);
  const b = { ...routeRow(1000, [3]), key: 'GET /y' };
  const c = { ...routeRow(2000, [4]), runId: 2 };
  const out = compactMinute([a, b, c, routeRow(3000, [5])], 0);
  assert.deepEqual(out.map((r) => [r.runId, r.key, r.count]).sort(), [
    [1, 'GET /x', 3],
    [1, 'GET /y', 1],
    [2, 'GET /x', 1],
  ]);
});
