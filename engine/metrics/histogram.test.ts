import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Histogram, bucketOf, bucketValue } from './histogram.ts';

test('every value maps to a bucket whose representative is within 1.6 %', () => {
  for (const us of [0, 1, 63, 64, 65, 127, 128, 1000, 12_345, 999_999, 60_000_000]) {
    const v = bucketValue(bucketOf(us));
    const err = us === 0 ? v : Math.abs(v - us) / us;
    assert.ok(err <= 0.016, `${us} µs → ${v} (error ${err})`);
  }
});

test('quantiles of a uniform 1..1000 ms sample are within bucket precision', () => {
  const h = new Histogram();
  for (let i = 1; i <= 1000; i++) h.record(i);
  assert.equal(h.count, 1000);
  for (const [q, expected] of [
    [0.5, 500],
    [0.95, 950],
    [0.99, 990],
  ] as const) {
    const got = h.quantile(q);
    assert.ok(Math.abs(got - expected) / expected < 0.02, `q${q}: ${got} vs ${expected}`);
  }
  assert.equal(h.max, 1000);
});

test('merging histograms equals recording everything in one', () => {
  const a = new Histogram();
  const b = new Histogram();
  const all = new Histogram();
  for (let i = 0; i < 500; i++) {
    a.record(i * 0.3);
    all.record(i * 0.3);
    b.record(100 + i);
    all.record(100 + i);
  }
  const merged = new Histogram().merge(a).merge(b);
  assert.equal(merged.count, all.count);
  assert.equal(merged.quantile(0.99), all.quantile(0.99));
  const viaData = new Histogram().mergeData(a.toData(), a.max, a.sum).mergeData(b.toData(), b.max, b.sum);
  assert.equal(viaData.quantile(0.5), all.quantile(0.5));
  assert.equal(viaData.count, 1000);
});

test('countAtOrBelow gives cumulative counts for Prometheus buckets', () => {
  const h = new Histogram();
  for (const ms of [0.5, 1, 2, 5, 10, 50]) h.record(ms);
  assert.equal(h.countAtOrBelow(1), 2);
  assert.equal(h.countAtOrBelow(10), 5);
  assert.equal(h.countAtOrBelow(1000), 6);
});

test('merging stored buckets without their max still answers quantiles (bounded by the top bucket)', () => {
  const h = new Histogram();
  for (let i = 1; i <= 100; i++) h.record(i);
  const merged = new Histogram().mergeData(h.toData());
  assert.ok(merged.quantile(0.5) > 40 && merged.quantile(0.5) < 60, `p50 ${merged.quantile(0.5)}`);
  assert.ok(merged.quantile(0.99) >= 95 && merged.quantile(0.99) <= 110, `p99 ${merged.quantile(0.99)}`);
});
