import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram } from './histogram.ts';
import { aggregate, gauge, type WindowRow } from './window.ts';

function row(t: number, latencies: number[], failed = 0, extra: Partial<WindowRow> = {}): WindowRow {
  const h = new Histogram();
  latencies.forEach((l) => h.record(l));
  return {
    t,
    span: 1000,
    count: latencies.length,
    ok: latencies.length - failed,
    c4xx: 0,
    c5xx: failed,
    timeouts: 0,
    blocked: 0,
    max: h.max,
    hist: h.toData(),
    ...extra,
  };
}

test('window quantiles come from merged histograms, not averaged percentiles', () => {
  // Second 1: 99 fast requests; second 2: one slow request. Averaging per-second p99s would say ~500 ms.
  const agg = aggregate([row(0, Array(99).fill(10)), row(1000, [1000])]);
  assert.equal(agg.count, 100);
  assert.ok(Math.abs(agg.p99 - 10) < 0.2, `p99 ${agg.p99}`);
  assert.equal(agg.max, 1000);
  assert.equal(agg.rps, 50);
});

test('error rate and blocked share are shares of all requests', () => {
  const agg = aggregate([row(0, Array(10).fill(5), 2, { blocked: 1 }), row(1000, Array(10).fill(5), 0)]);
  assert.equal(agg.errorRate, 0.1);
  assert.equal(agg.blocked, 0.05);
});

test('gauges reduce as asked and are undefined without data', () => {
  const rows = [row(0, [], 0, { replicas: 2 }), row(1000, [], 0, { replicas: 5 }), row(2000, [], 0, { replicas: 3 })];
  assert.equal(gauge(rows, 'replicas', 'max'), 5);
  assert.equal(gauge(rows, 'replicas', 'min'), 2);
  assert.equal(gauge(rows, 'replicas', 'last'), 3);
  assert.ok(Math.abs(gauge(rows, 'replicas', 'mean')! - 10 / 3) < 1e-9);
  assert.equal(gauge(rows, 'queue', 'max'), undefined);
});
