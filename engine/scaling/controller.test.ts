import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CellStats, MetricsFrame, ReplicaStats } from '../api/schema.ts';
import { ManualClock } from '../clock.ts';
import { normaliseCell, type CellSpec } from '../organism/index.ts';
import { ScalingController } from './controller.ts';
import type { ForecastRequest, Forecaster } from './forecaster.ts';
import type { Forecast } from './policies.ts';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

function spec(name: string, policy: 'hpa' | 'predictive' | 'none'): CellSpec {
  return normaliseCell({
    name,
    replicas: 2,
    concurrency: 4,
    operations: [{ name: 'op', latency: { p50: '100ms', p99: '100ms' } }],
    scaling: { policy, min: 1, max: 20, targetUtilization: 0.5 },
  });
}

function frame(t: number, cell: string, replicas: number, utilization: number, rps: number): MetricsFrame {
  const stats: CellStats = {
    cell,
    replicas,
    ready: replicas,
    count: rps,
    errors: 0,
    rejected: 0,
    rps,
    errorRate: 0,
    utilization,
    queue: 0,
    p50: 100,
    p95: 100,
    p99: 100,
    max: 100,
  };
  const reps: ReplicaStats[] = Array.from({ length: replicas }, (_, i) => ({
    id: `${cell}-${i}`,
    cell,
    state: 'ready',
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
  }));
  return { t, routes: [], cells: [stats], replicas: reps, edges: [], streams: [] };
}

class FakeForecaster implements Forecaster {
  readonly history = 60;
  readonly horizon = 10;
  batches: ForecastRequest[][] = [];
  constructor(readonly rps: number) {}
  forecast(requests: ForecastRequest[]): Promise<Forecast[]> {
    this.batches.push(requests);
    return Promise.resolve(
      requests.map((r) => ({ firstMinute: r.lastMinute + 1, heads: { forecast: Array(10).fill(this.rps) } })),
    );
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

test('syncs every 15 s on the clock, publishes every decision and applies changes through scale', async () => {
  const clock = new ManualClock(START);
  const cells = new Map([['api', { spec: spec('api', 'hpa'), replicas: 2 }]]);
  const scaled: Array<[string, number, string]> = [];
  const events: Array<[string, Record<string, unknown>]> = [];
  const ctl = new ScalingController({
    clock,
    cells: () => cells.values(),
    scale: (cell, n, reason) => {
      scaled.push([cell, n, reason]);
      cells.get(cell)!.replicas = n;
    },
    emit: (type, data) => events.push([type, data]),
  });
  // 2 replicas at 90 % for the whole run
  const timer = clock.setInterval(() => ctl.onFrame(frame(clock.now() - 1000, 'api', 2, 0.9, 72)), 1000);
  ctl.start();
  await clock.advance(14_999);
  assert.equal(events.length, 0, 'no sync before the first period');
  await clock.advance(1);
  assert.deepEqual(scaled, [['api', 4, 'hpa: DesiredWithinRange']]); // ceil(1.8 × 2)
  assert.deepEqual(
    events.map(([type]) => type),
    ['scaling.decided', 'scaling.replicas-changed'],
  );
  assert.equal(events[0]![1]['reason'], 'DesiredWithinRange');
  assert.equal(events[1]![1]['to'], 4);
  ctl.setTarget('api', 0.9);
  await clock.advance(15_000);
  assert.equal(scaled.length, 1, 'at a 90 % target, 90 % is on target');
  assert.equal(ctl.decisions('api').at(-1)!.reason, 'WithinTolerance');
  ctl.stop();
  timer.cancel();
  await clock.advance(60_000);
  assert.equal(ctl.decisions('api').length, 2);
});

test('predictive cells share one forecaster batch per minute; hpa and none cells never ask', async () => {
  const clock = new ManualClock(START);
  const forecaster = new FakeForecaster(120); // 120 req/s needs 120 / (40 × 0.5) = 6 replicas
  const cells = [
    { spec: spec('a', 'predictive'), replicas: 2 },
    { spec: spec('b', 'predictive'), replicas: 2 },
    { spec: spec('c', 'hpa'), replicas: 2 },
    { spec: spec('d', 'none'), replicas: 2 },
  ];
  const scaled: Record<string, number> = {};
  const ctl = new ScalingController({
    clock,
    cells: () => cells,
    scale: (cell, n) => {
      scaled[cell] = n;
      cells.find((c) => c.spec.name === cell)!.replicas = n;
    },
    forecaster,
    minHistoryMinutes: 10,
  });
  for (let s = 0; s < 12 * 60; s++)
    for (const c of cells) ctl.onFrame(frame(START + s * 1000, c.spec.name, c.replicas, 0.5, 40 * c.replicas * 0.5));
  for (let k = 1; k <= 4; k++) await ctl.sync(START + 12 * 60_000 + k * 15_000);
  assert.equal(forecaster.batches.length, 1, 'one batch for the minute');
  assert.equal(forecaster.batches[0]!.length, 2, 'both predictive cells in it');
  assert.equal(forecaster.batches[0]![0]!.history.length, 60, '12 minutes of history padded to the model’s 60');
  assert.equal(scaled['a'], 6);
  assert.equal(scaled['b'], 6);
  assert.equal(scaled['c'], undefined);
  // minute 11 is still open (no frame of minute 12 yet): the forecast starts there
  assert.equal(ctl.forecastOf('a')!.firstMinute, Math.floor(START / 60_000) + 11);
  assert.deepEqual(ctl.decisions('d'), []);
});

test('a failing forecaster is reported and the predictive cell scales reactively', async () => {
  const clock = new ManualClock(START);
  const errors: unknown[] = [];
  const failing: Forecaster = {
    history: 60,
    horizon: 10,
    forecast: () => Promise.reject(new Error('model gone')),
    close: () => Promise.resolve(),
  };
  const cells = [{ spec: spec('a', 'predictive'), replicas: 2 }];
  const scaled: number[] = [];
  const ctl = new ScalingController({
    clock,
    cells: () => cells,
    scale: (_c, n) => scaled.push(n),
    forecaster: failing,
    onError: (e) => errors.push(e),
  });
  for (let s = 0; s < 11 * 60; s++) ctl.onFrame(frame(START + s * 1000, 'a', 2, 0.9, 72));
  const decisions = await ctl.sync(START + 11 * 60_000);
  assert.equal(errors.length, 1);
  assert.equal(decisions.length, 1);
  assert.deepEqual(scaled, [4], 'the HPA half still acts: ceil(2 × 0.9 / 0.5)');
});
