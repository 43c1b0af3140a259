import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricsFrame } from '../api/schema.ts';
import { normaliseCell, type CellDoc } from '../organism/index.ts';
import { simulate } from './simulator.ts';
import type { ScalingDecision } from './types.ts';

const START = Date.UTC(2026, 0, 1);

function cell(extra: Partial<CellDoc> = {}): ReturnType<typeof normaliseCell> {
  // 100 ms per request, 4 at a time: 40 req/s per replica
  return normaliseCell({
    name: 'api',
    replicas: 4,
    concurrency: 4,
    queue: 16,
    operations: [{ name: 'op', latency: { p50: '100ms', p99: '100ms' } }],
    scaling: { policy: 'none' },
    ...extra,
  });
}

test('a fixed pool at half load: utilization 0.5, nothing refused, p99 = the service time plus a little queueing', async () => {
  const frames: MetricsFrame[] = [];
  const run = await simulate({
    cell: cell(),
    rates: [80, 80, 80],
    startMs: START,
    seed: 3,
    sloMs: 500,
    onFrame: (f) => frames.push(f),
  });
  const util = frames.slice(10).reduce((s, f) => s + f.cells[0]!.utilization, 0) / (frames.length - 10);
  assert.ok(Math.abs(util - 0.5) < 0.03, `utilization ${util}`);
  const served = run.minutes.reduce((s, m) => s + m.served, 0);
  assert.ok(Math.abs(served - 80 * 180) < 4 * Math.sqrt(80 * 180), `served ${served}`);
  for (const m of run.minutes) {
    assert.equal(m.rejected, 0);
    assert.equal(m.replicaMinutes, 4);
    assert.equal(m.violated, false);
    assert.ok(m.p99 >= 99 && m.p99 < 250, `p99 ${m.p99}`);
  }
  assert.equal(frames.length, 180);
  assert.equal(frames[0]!.replicas.length, 4);
});

test('an overloaded pool refuses the excess with 503s and violates its SLO', async () => {
  const run = await simulate({ cell: cell({ replicas: 2 }), rates: [200, 200], startMs: START, seed: 3, sloMs: 500 });
  const m = run.minutes[1]!;
  // 80 req/s of capacity: about 60 % of 200 req/s is refused once the queues are full
  assert.ok(m.rejected / m.arrivals > 0.5 && m.rejected / m.arrivals < 0.7, `refused ${m.rejected} of ${m.arrivals}`);
  assert.equal(m.violated, true);
});

test('same seed, same run; another seed, other arrivals', async () => {
  const opts = {
    cell: cell({ scaling: { policy: 'hpa', min: 1, max: 10, targetUtilization: 0.5 } }),
    rates: [50, 120, 60],
    startMs: START,
    sloMs: 500,
  };
  const a = await simulate({ ...opts, seed: 9 });
  const b = await simulate({ ...opts, seed: 9 });
  const c = await simulate({ ...opts, seed: 10 });
  assert.deepEqual(a.minutes, b.minutes);
  assert.notDeepEqual(a.minutes, c.minutes);
});

test('HPA on a flash crowd: scales out at the first sync after utilization passes the target, and back in after the window', async () => {
  const decisions: ScalingDecision[] = [];
  const rates = [...Array(3).fill(20), ...Array(3).fill(300), ...Array(9).fill(20)];
  const c = cell({ replicas: 2, startup: '10s', scaling: { policy: 'hpa', min: 2, max: 20, targetUtilization: 0.5 } });
  const run = await simulate({ cell: c, rates, startMs: START, seed: 1, sloMs: 1000, onDecision: (d) => decisions.push(d) });
  const crowd = START + 3 * 60_000;
  const firstOut = decisions.find((d) => d.t > crowd && d.desired > d.current)!;
  assert.ok(firstOut.t - crowd <= 30_000, `first scale-out ${(firstOut.t - crowd) / 1000} s after the crowd`);
  assert.ok(Math.max(...run.minutes.map((m) => m.desired)) >= 15, 'reaches the 300 req/s size (15 at 50 %)');
  assert.equal(run.minutes.at(-1)!.desired, 2, 'back to min after the stabilization window');
  const firstIn = decisions.find((d) => d.t > crowd + 3 * 60_000 && d.desired < d.current)!;
  assert.ok(firstIn.t - (crowd + 3 * 60_000) >= 240_000, 'scale-in waits for the 300 s window (minus the crowd’s tail)');
});
