import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normaliseCell, type CellDoc } from '../organism/index.ts';
import {
  decide,
  peakForecast,
  pendingRequests,
  policyConfig,
  updateCapacity,
  type Forecast,
  type PolicyState,
} from './policies.ts';
import type { CellObservation, PodSample } from './types.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 30); // 30 s into minute m0
const M0 = Math.floor(T0 / 60_000);

function cellDoc(scaling: CellDoc['scaling']): CellDoc {
  return {
    name: 'api',
    replicas: 4,
    concurrency: 4,
    queue: 16,
    startup: '60s',
    operations: [{ name: 'op', latency: { p50: '100ms', p99: '100ms' } }],
    scaling,
  };
}

function obs(replicas: number, utilization: number, extra: Partial<CellObservation> = {}): CellObservation {
  const pods: PodSample[] = Array.from({ length: replicas }, (_, i) => ({
    id: `p${i}`,
    state: 'ready',
    startedAt: T0 - 3_600_000,
    readySince: T0 - 3_600_000,
    utilization,
  }));
  const capacity = 40; // 4 slots / 100 ms
  return {
    cell: 'api',
    t: T0,
    replicas,
    pods,
    utilization,
    rps: utilization * replicas * capacity,
    servedRps: utilization * replicas * capacity,
    queue: 0,
    p99: 100,
    ready: replicas,
    starting: 0,
    ...extra,
  };
}

describe('queue-lag (KEDA-style)', () => {
  const cfg = policyConfig(normaliseCell(cellDoc({ policy: 'queue-lag', min: 1, max: 50, targetQueue: 2 })));

  test('pending requests are in-flight (utilization × slots × ready) plus waiting', () => {
    assert.equal(pendingRequests(obs(4, 0.5, { queue: 3 }), 4), 4 * 0.5 * 4 + 3);
  });

  test('replicas = ceil(pending / target per replica), through the HPA limits', () => {
    // 4 replicas, 75 % busy, 10 waiting: pending 12 + 10 = 22 → ceil(22 / 2) = 11; the default
    // behavior lets 4 replicas grow to max(4 + 4, 2 × 4) = 8 in one period
    const step = decide(obs(4, 0.75, { queue: 10 }), cfg, {});
    assert.equal(step.decision.desired, 8);
    assert.equal(step.decision.reason, 'ScaleUpLimit');
    assert.equal(step.decision.inputs['pending'], 22);
    // the legacy path caps at max(2 × 4, 4) = 8 too; min clamps a quiet cell
    const idle = decide(obs(4, 0.05), cfg, { hpa: { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] } });
    assert.equal(idle.decision.desired, 1);
  });
});

describe('predictive', () => {
  const cell = normaliseCell(cellDoc({ policy: 'predictive', min: 1, max: 40, targetUtilization: 0.5 }));
  const cfg = policyConfig(cell);
  const fresh: PolicyState = { hpa: { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] } };

  test('the lead time defaults to startup + one sync period, capacity to slots / mean latency', () => {
    assert.equal(cfg.leadMs, 75_000);
    assert.ok(Math.abs(cfg.capacityPrior - 40) < 1e-9);
    assert.equal(cfg.forecastHead, 'forecast');
    assert.equal(cfg.forecastUtilization, 0.5);
  });

  test('peakForecast takes the highest minute between now and now + lead', () => {
    const f: Forecast = { firstMinute: M0, heads: { forecast: [10, 20, 50, 90] } };
    assert.equal(peakForecast(f, 'forecast', T0, 75_000), 20); // minutes m0..m0+1 (30 s + 75 s = 105 s)
    assert.equal(peakForecast(f, 'forecast', T0, 150_000), 90);
    assert.equal(peakForecast(f, 'q95', T0, 75_000), null);
    assert.equal(peakForecast(undefined, 'forecast', T0, 75_000), null);
  });

  test('scales out ahead of the forecast: ceil(forecast / (capacity × target)), beyond the HPA rate limit', () => {
    const f: Forecast = { firstMinute: M0, heads: { forecast: [80, 400] } };
    // now: 4 replicas at 50 % (80 req/s) — the HPA alone would keep 4
    const step = decide(obs(4, 0.5), cfg, fresh, f);
    assert.equal(step.decision.desired, 20); // 400 / (40 × 0.5)
    assert.equal(step.decision.reason, 'Forecast');
    assert.equal(step.decision.inputs['forecastReplicas'], 20);
    assert.equal(decide(obs(4, 0.5), cfg, fresh).decision.desired, 4, 'without a forecast it is the HPA');
  });

  test('never scales in on the forecast: a low forecast leaves the reactive HPA in charge', () => {
    const low: Forecast = { firstMinute: M0, heads: { forecast: [5, 5] } };
    // 10 replicas at 90 %: the HPA wants ceil(1.8 × 10) = 18 whatever the forecast says
    assert.equal(decide(obs(10, 0.9), cfg, fresh, low).decision.desired, 18);
    // 10 idle replicas with a recent recommendation of 10: scale-down waits for the HPA window
    const held = decide(
      obs(10, 0.1),
      cfg,
      { hpa: { recommendations: [{ t: T0 - 60_000, replicas: 10 }], scaleUpEvents: [], scaleDownEvents: [] } },
      low,
    );
    assert.equal(held.decision.desired, 10);
    assert.equal(held.decision.reason, 'ScaleDownStabilized');
  });

  test('a percentile head sized at its own utilization', () => {
    const q = normaliseCell(
      cellDoc({ policy: 'predictive', min: 1, max: 40, targetUtilization: 0.5, forecast: { quantile: 0.95, utilization: 0.8 } }),
    );
    const qcfg = policyConfig(q);
    assert.equal(qcfg.forecastHead, 'q95');
    const f: Forecast = { firstMinute: M0, heads: { forecast: [100, 100], q95: [300, 320] } };
    assert.equal(decide(obs(4, 0.5), qcfg, fresh, f).decision.desired, 10); // 320 / (40 × 0.8)
  });

  test('capacity is measured from served requests per busy replica, ignoring near-idle samples', () => {
    assert.equal(updateCapacity(obs(4, 0.05), undefined, 40), 40);
    const measured = updateCapacity({ ...obs(4, 0.5), servedRps: 60 }, undefined, 40); // 60 / (0.5 × 4)
    assert.equal(measured, 30);
    assert.equal(updateCapacity({ ...obs(4, 0.5), servedRps: 80 }, 30, 40), 31); // moves 10 % toward 40
  });
});
