import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CellStats, MetricsFrame, ReplicaStats } from '../api/schema.ts';
import { MetricWindows } from './window.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function cellStats(count: number, utilization: number, extra: Partial<CellStats> = {}): CellStats {
  return {
    cell: 'api',
    replicas: 2,
    ready: 2,
    count,
    errors: 0,
    rejected: 0,
    rps: count,
    errorRate: 0,
    utilization,
    queue: 0,
    p50: 5,
    p95: 9,
    p99: 10,
    max: 12,
    ...extra,
  };
}
function replica(id: string, state: ReplicaStats['state'], utilization: number): ReplicaStats {
  return {
    id,
    cell: 'api',
    state,
    count: 0,
    errors: 0,
    rejected: 0,
    rps: 0,
    utilization,
    queue: 0,
    inflight: 0,
    memoryMb: 0,
    p50: 0,
    p95: 0,
    p99: 0,
    max: 0,
  };
}
function frame(t: number, cell: CellStats, replicas: ReplicaStats[]): MetricsFrame {
  return { t, routes: [], cells: [cell], replicas, edges: [], streams: [] };
}

test('observations average the metric window; a replica is unready until it has samples', () => {
  const w = new MetricWindows();
  for (let s = 0; s < 30; s++) {
    const u = s < 15 ? 0.2 : 0.6;
    const reps = [replica('a', 'ready', u), replica('b', 'ready', u)];
    if (s >= 25) reps.push(replica('c', 'starting', 0));
    w.ingest(frame(T0 + s * 1000, cellStats(s < 15 ? 10 : 30, u, { rejected: s < 15 ? 0 : 3 }), reps));
  }
  const o = w.get('api').observe(T0 + 30_000, 3, 15_000);
  // the last 15 frames (t ≥ 15 s) are the busy ones
  assert.ok(Math.abs(o.utilization - 0.6) < 1e-9, String(o.utilization));
  assert.equal(o.rps, 30);
  assert.equal(o.servedRps, 27);
  assert.equal(o.ready, 2);
  assert.equal(o.starting, 1);
  const pods = Object.fromEntries(o.pods.map((p) => [p.id, p]));
  assert.ok(Math.abs(pods['a']!.utilization! - 0.6) < 1e-9);
  assert.equal(pods['c']!.utilization, undefined);
  assert.equal(pods['a']!.readySince, T0);
});

test('completed minutes become the forecaster history; replicas that vanish are forgotten', () => {
  const w = new MetricWindows();
  for (let s = 0; s < 180; s++) {
    const rate = s < 60 ? 10 : s < 120 ? 20 : 40;
    const reps = s < 100 ? [replica('a', 'ready', 0.5), replica('b', 'ready', 0.5)] : [replica('a', 'ready', 0.5)];
    w.ingest(frame(T0 + s * 1000, cellStats(rate, 0.5), reps));
  }
  const win = w.get('api');
  // minute 3 is still open
  assert.equal(win.lastMinute, Math.floor(T0 / 60_000) + 1);
  assert.deepEqual([...win.minuteRates(2)!], [10, 20]);
  assert.equal(win.minuteRates(3), null);
  assert.deepEqual(
    win.pods(T0 + 180_000, 15_000).map((p) => p.id),
    ['a'],
  );
});
