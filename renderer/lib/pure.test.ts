import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CellView, MetricsFrame } from '../../engine/api/schema.ts';
import { formatCellTraffic, formatMs, formatPct, formatRps, summarizeData } from './format.ts';
import { cellHealth, trafficHealth } from './health.ts';
import { LatencyWindow } from './latency-window.ts';
import { MetricsHistory, stableTop } from './metrics-history.ts';
import { checkSpawnForm, emptySpawnForm, spawnBody } from './spawn.ts';
import { summarize } from './summary.ts';

const replicas = (...states: Array<'ready' | 'starting' | 'crashed'>): CellView['replicas'] =>
  states.map((state, i) => ({ id: `r${i}`, state, startedAt: 0 }));

const stats = (over: Partial<NonNullable<CellView['stats']>> = {}): NonNullable<CellView['stats']> => ({
  cell: 'c',
  replicas: 1,
  ready: 1,
  count: 100,
  errors: 0,
  rejected: 0,
  rps: 100,
  errorRate: 0,
  utilization: 0.2,
  queue: 0,
  p50: 1,
  p95: 2,
  p99: 3,
  max: 4,
  ...over,
});

describe('format', () => {
  it('keeps numbers short', () => {
    assert.deepEqual([0, 0.44, 12.94, 128.4, 1234, 45_000].map(formatRps), ['0', '0.4', '13', '128', '1.2k', '45k']);
    assert.deepEqual([0, 0.25, 4.04, 48.6, 1250].map(formatMs), ['0 ms', '0.25 ms', '4 ms', '49 ms', '1.25 s']);
    assert.deepEqual([0, 0.0004, 0.025, 0.37].map(formatPct), ['0%', '<0.1%', '2.5%', '37%']);
    assert.equal(formatCellTraffic({ rps: 12.94, p99: 4.04 }), '13 rps · p99 4 ms');
    assert.equal(formatCellTraffic({ rps: 0, p99: 4 }), 'idle');
    assert.equal(formatCellTraffic(undefined), 'idle');
  });

  it('summarises event data on one line', () => {
    assert.equal(summarizeData({ replica: 'a-1', afterMs: 2001.23456 }), 'replica=a-1 afterMs=2001.235');
    assert.ok(summarizeData({ long: 'x'.repeat(500) }, 20).endsWith('…'));
  });
});

describe('health', () => {
  it('grades cells by readiness, errors and load', () => {
    assert.equal(cellHealth({ desired: 0, replicas: [] }, undefined).level, 'idle');
    assert.equal(cellHealth({ desired: 2, replicas: replicas('starting') }, undefined).level, 'starting');
    assert.equal(cellHealth({ desired: 1, replicas: replicas('crashed') }, undefined).level, 'down');
    assert.equal(cellHealth({ desired: 1, replicas: replicas('ready') }, stats()).level, 'healthy');
    assert.equal(cellHealth({ desired: 1, replicas: replicas('ready') }, stats({ errorRate: 0.02 })).level, 'degraded');
    assert.equal(cellHealth({ desired: 1, replicas: replicas('ready') }, stats({ errorRate: 0.2 })).level, 'failing');
    const busy = cellHealth({ desired: 1, replicas: replicas('ready') }, stats({ utilization: 0.9 }));
    assert.deepEqual(busy, { level: 'degraded', reasons: ['90% busy'] });
    assert.equal(cellHealth({ desired: 3, replicas: replicas('ready', 'starting') }, stats()).level, 'starting');
  });

  it('grades traffic by error share', () => {
    assert.equal(trafficHealth(0, 0), 'idle');
    assert.equal(trafficHealth(5, 0.001), 'healthy');
    assert.equal(trafficHealth(5, 0.05), 'degraded');
    assert.equal(trafficHealth(5, 0.5), 'failing');
  });
});

describe('latency window', () => {
  it('re-bins per-second buckets and forgets old seconds', () => {
    const w = new LatencyWindow(2);
    w.add(1000, [
      [0.5, 10],
      [3, 10],
    ]);
    w.add(2000, [[30, 80]]);
    let b = w.bins();
    assert.equal(b.total, 100);
    assert.equal(b.counts[0], 10, '≤1 ms');
    assert.equal(b.counts[2], 10, '≤5 ms');
    assert.equal(b.counts[5], 80, '≤50 ms');
    assert.equal(b.p50, 30);
    w.add(3000, [[7000, 1]]);
    b = w.bins();
    assert.equal(b.total, 81, 'the first second fell out');
    assert.equal(b.counts[b.counts.length - 1], 1, '>5 s');
    assert.equal(b.labels[b.labels.length - 1], '>5 s');
  });
});

const frame = (t: number, rps: Record<string, number>): MetricsFrame => ({
  t,
  routes: Object.entries(rps).map(([route, r]) => ({
    route,
    cell: 'c',
    count: r,
    rps: r,
    ok: r,
    c4xx: 0,
    c5xx: 0,
    timeouts: 0,
    blocked: 0,
    errorRate: route === 'GET /b' ? 0.5 : 0,
    p50: 1,
    p95: 2,
    p99: 10 + r,
    max: 20,
    overheadP50: 0.3,
    overheadP99: 1,
  })),
  cells: [],
  replicas: [],
  edges: [],
  streams: [],
});

describe('metrics history', () => {
  it('builds aligned tables, busiest series first, ignoring replays', () => {
    const h = new MetricsHistory(3);
    h.load([frame(1000, { 'GET /a': 1 }), frame(2000, { 'GET /a': 2, 'GET /b': 9 }), frame(3000, { 'GET /a': 3 })]);
    assert.equal(h.push(frame(2000, {})), false);
    h.push(frame(4000, { 'GET /a': 4, 'GET /b': 1 }));
    assert.equal(h.frames.length, 3);
    assert.deepEqual(h.routes(), ['GET /b', 'GET /a']);
    assert.deepEqual(h.routeTable('rps', ['GET /a', 'GET /b']), [
      [2, 3, 4],
      [2, 3, 4],
      [9, null, 1],
    ]);
  });

  it("keeps a chart's series while they stay near the top", () => {
    assert.deepEqual(stableTop([], ['d', 'c', 'b', 'a'], 2), ['c', 'd']);
    assert.deepEqual(stableTop(['c', 'd'], ['b', 'a', 'd', 'c'], 2), ['c', 'd'], 'still in the top 4: kept');
    assert.deepEqual(stableTop(['c', 'd'], ['b', 'a', 'e', 'f', 'd', 'c'], 2), ['a', 'b']);
    assert.deepEqual(stableTop(['x'], ['a'], 3), ['a']);
  });

  it('summarises a frame for the header', () => {
    const s = summarize(frame(1, { 'GET /a': 30, 'GET /b': 10 }), [
      { desired: 2, replicas: replicas('ready', 'starting') } as CellView,
    ]);
    assert.equal(s.rps, 40);
    assert.equal(s.errorRate, 5 / 40);
    assert.equal(s.p99, 40);
    assert.deepEqual([s.ready, s.desired, s.cells], [1, 2, 1]);
  });
});

describe('spawn form', () => {
  it('checks fields like the manifest schema does', () => {
    const form = { ...emptySpawnForm(), name: 'Bad Name', p50Ms: 10, p99Ms: 5 };
    assert.deepEqual(Object.keys(checkSpawnForm(form, [])).sort(), ['name', 'p99Ms']);
    assert.match(checkSpawnForm({ ...form, name: 'cart', p99Ms: 50 }, ['cart']).name!, /already exists/);
    assert.deepEqual(checkSpawnForm({ ...form, name: 'reviews', p99Ms: 50 }, ['cart']), {});
  });

  it('posts a manifest-shaped cell', () => {
    const body = spawnBody({ ...emptySpawnForm(), name: 'reviews', errorPct: 2.5, calls: ['inventory.stock'] });
    assert.deepEqual(body, {
      name: 'reviews',
      replicas: 1,
      operations: [
        {
          name: 'handle',
          latency: { p50: '10ms', p99: '50ms' },
          errorRate: 0.025,
          calls: [{ cell: 'inventory', op: 'stock' }],
        },
      ],
    });
  });
});
