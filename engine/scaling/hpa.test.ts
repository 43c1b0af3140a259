// Pins the HPA arithmetic to Kubernetes' documented behaviour (kubernetes.io "Horizontal Pod
// Autoscaling", "Algorithm details", "Configurable scaling behavior") and to replica_calculator.go.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  defaultBehavior,
  externalPerPodReplicas,
  hpaConfig,
  initialHpaState,
  reconcileHpa,
  resourceReplicas,
  type HpaConfig,
  type HpaState,
} from './hpa.ts';
import type { PodSample } from './types.ts';

const T0 = 1_000_000_000;
const OLD = T0 - 3_600_000; // started an hour ago: past the CPU initialization period

function ready(n: number, utilization: number | undefined): PodSample[] {
  return Array.from({ length: n }, (_, i) => ({ id: `r${i}`, state: 'ready', startedAt: OLD, readySince: OLD, utilization }));
}
function starting(n: number): PodSample[] {
  return Array.from({ length: n }, (_, i) => ({ id: `s${i}`, state: 'starting', startedAt: T0 - 1000 }));
}
function proposed(pods: PodSample[], current: number, cfg: HpaConfig, now = T0): number {
  const p = resourceReplicas(pods, current, now, cfg);
  assert.ok(p.ok, 'metric computed');
  return p.replicas;
}

describe('replica calculation (GetResourceReplicas)', () => {
  const cfg = hpaConfig({ min: 1, max: 100, targetUtilization: 0.6 });

  test('desired = ceil(current × current/target): the documented doubling example', () => {
    // "if the current metric value is 200m, and the desired value is 100m, the number of replicas will be doubled"
    assert.equal(proposed(ready(3, 1.0), 3, hpaConfig({ min: 1, max: 100, targetUtilization: 0.5 })), 6);
    assert.equal(proposed(ready(4, 0.9), 4, cfg), 6); // ratio 1.5
    assert.equal(proposed(ready(10, 0.3), 10, cfg), 5); // ratio 0.5
  });

  test('tolerance 0.1: no change while the ratio is within ±10 %', () => {
    assert.equal(proposed(ready(4, 0.65), 4, cfg), 4); // 1.083
    assert.equal(proposed(ready(4, 0.55), 4, cfg), 4); // 0.917
    assert.equal(proposed(ready(4, 0.67), 4, cfg), 5); // 1.117 → ceil(4.47)
    assert.equal(proposed(ready(4, 0.53), 4, cfg), 4); // 0.883 → ceil(3.53) = 4
    assert.equal(proposed(ready(8, 0.53), 8, cfg), 8); // ceil(7.07) = 8
    assert.equal(proposed(ready(10, 0.5), 10, cfg), 9); // 0.833 → ceil(8.33)
  });

  test('utilization is an integer percentage: 60.9 % is read as 60 %, within tolerance of a 55 % target', () => {
    const c55 = hpaConfig({ min: 1, max: 100, targetUtilization: 0.55 });
    assert.equal(proposed(ready(4, 0.609), 4, c55), 4); // 60/55 = 1.091 (60.9/55 would be 1.107)
    assert.equal(proposed(ready(4, 0.61), 4, c55), 5); // 61/55 = 1.109 → ceil(4.44)
  });

  test('exactly 10 % over target scales: |1 − 66/60| is 0.10000000000000009 in float64, as in Go', () => {
    assert.equal(proposed(ready(4, 0.66), 4, cfg), 5);
  });

  test('unready (starting) pods are left out, and count as 0 % on a scale-up', () => {
    // 3 ready at 100 %, 1 starting: 3000/4 → 75 % → ratio 1.25 → ceil(1.25 × 4) = 5 (not ceil(1.667 × 3) = 5 by luck: check 2)
    assert.equal(proposed([...ready(3, 1.0), ...starting(1)], 4, cfg), 5);
    // 2 ready at 100 %, 2 starting: 2000/4 = 50 % → ratio 0.83: direction reverses → keep 4
    assert.equal(proposed([...ready(2, 1.0), ...starting(2)], 4, cfg), 4);
    // Without the starting pods the same 2 ready pods would ask for ceil(1.667 × 2) = 4 → from 2 to 4.
    assert.equal(proposed(ready(2, 1.0), 2, cfg), 4);
    // On a scale-down unready pods are simply ignored: 4 ready at 30 % + 2 starting → ceil(0.5 × 4) = 2.
    assert.equal(proposed([...ready(4, 0.3), ...starting(2)], 6, cfg), 2);
  });

  test('a pod ready for less than one metric window, within the initialization period, is unready', () => {
    const fresh: PodSample = { id: 'f', state: 'ready', startedAt: T0 - 20_000, readySince: T0 - 5_000, utilization: 0 };
    const settled: PodSample = { ...fresh, readySince: T0 - 16_000 };
    // The fresh pod's 0 % would drag the average: ignored, then re-added at 0 % because this is a scale-up.
    assert.equal(proposed([...ready(3, 1.0), fresh], 4, cfg), 5);
    // Once its sample covers a full window it counts as it is: (3000 + 0)/4 = 75 % → 5.
    assert.equal(proposed([...ready(3, 1.0), settled], 4, cfg), 5);
    // On a scale-down the fresh pod is just left out: 3 at 30 % → ceil(0.5 × 3) = 2.
    assert.equal(proposed([...ready(3, 0.3), fresh], 4, cfg), 2);
  });

  test('missing metrics: 100 % on a scale-down, 0 % on a scale-up', () => {
    // 4 ready at 10 % + 1 missing: (400 + 1000)/5 = 28 % → ratio 0.467 → ceil(2.33) = 3 (without it: 1)
    assert.equal(proposed([...ready(4, 0.1), ...ready(1, undefined)], 5, cfg), 3);
    assert.equal(proposed(ready(4, 0.1), 4, cfg), 1);
    // 2 ready at 90 % + 1 missing: (1800 + 0)/3 = 60 % → ratio 1.0: within tolerance → keep 3
    assert.equal(proposed([...ready(2, 0.9), ...ready(1, undefined)], 3, cfg), 3);
  });

  test('no ready pod with a metric: no decision', () => {
    const p = resourceReplicas(starting(3), 3, T0, cfg);
    assert.equal(p.ok, false);
  });
});

describe('reconcile without behavior (legacy code path)', () => {
  const cfg = hpaConfig({ min: 1, max: 100, targetUtilization: 0.1, behavior: null });

  test('scale-up is capped at max(2 × current, 4)', () => {
    const at = (current: number): number =>
      reconcileHpa(
        T0,
        current,
        () => resourceReplicas(ready(current, 1), current, T0, cfg),
        cfg,
        initialHpaState(T0 - 1, current),
      ).desired;
    assert.equal(at(1), 4);
    assert.equal(at(3), 6);
    assert.equal(at(10), 20);
    const out = reconcileHpa(T0, 10, () => resourceReplicas(ready(10, 1), 10, T0, cfg), cfg, initialHpaState(T0 - 1, 10));
    assert.equal(out.reason, 'ScaleUpLimit');
    assert.deepEqual(out.state.scaleUpEvents, [], 'the legacy path keeps no scale events');
  });

  test('scale-down takes the highest recommendation of the last 5 minutes', () => {
    const c = hpaConfig({ min: 1, max: 100, targetUtilization: 0.5, behavior: null });
    let state: HpaState = initialHpaState(T0, 8);
    let current = 8;
    const trail: number[] = [];
    for (let s = 15; s <= 330; s += 15) {
      const now = T0 + s * 1000;
      const out = reconcileHpa(now, current, () => resourceReplicas(ready(current, 0.125), current, now, c), c, state);
      state = out.state;
      current = out.desired;
      trail.push(current);
    }
    // recommendation 2 from the first sync; the seeded 8 (at T0) holds until it is older than 300 s
    assert.deepEqual(trail.slice(0, 20), Array(20).fill(8));
    assert.equal(trail[20], 2, `at 315 s: ${trail.join(',')}`);
  });

  test('min and max clamp, and a target at 0 replicas is left alone', () => {
    const c = hpaConfig({ min: 2, max: 5, targetUtilization: 0.5, behavior: null });
    const run = (current: number, u: number) =>
      reconcileHpa(T0, current, () => resourceReplicas(ready(current, u), current, T0, c), c, initialHpaState(T0, current));
    assert.equal(run(4, 1).desired, 5);
    assert.equal(run(4, 1).reason, 'TooManyReplicas');
    assert.equal(run(3, 0.05).desired, 3, 'stabilized at the seeded recommendation');
    assert.equal(run(7, 0.5).desired, 5);
    assert.equal(run(1, 0.5).desired, 2);
    assert.equal(run(0, 0.5).desired, 0);
    assert.equal(run(0, 0.5).reason, 'ScalingDisabled');
  });
});

describe('reconcile with the default behavior', () => {
  test('the default behavior is the documented one', () => {
    assert.deepEqual(defaultBehavior(), {
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  const cfg = hpaConfig({ min: 1, max: 1000, targetUtilization: 0.1 });
  const sync = (now: number, current: number, u: number, state: HpaState) =>
    reconcileHpa(now, current, () => resourceReplicas(ready(current, u), current, now, cfg), cfg, state);

  test('scale-up: at most max(+4 pods, +100 %) per 15 s, no stabilization', () => {
    assert.equal(sync(T0, 1, 1, initialHpaState(T0, 1)).desired, 5); // 1 + 4
    assert.equal(sync(T0, 3, 1, initialHpaState(T0, 3)).desired, 7); // 3 + 4 > 6
    assert.equal(sync(T0, 10, 1, initialHpaState(T0, 10)).desired, 20); // 2 × 10
    const first = sync(T0, 10, 1, initialHpaState(T0, 10));
    // 5 s later the period still holds the +10: the limit is counted from 10 → no further growth
    const soon = sync(T0 + 5_000, 20, 1, first.state);
    assert.equal(soon.desired, 20);
    assert.equal(soon.reason, 'ScaleUpLimit');
    // a full period later it may double again
    assert.equal(sync(T0 + 15_000, 20, 1, first.state).desired, 40);
  });

  test('scale-down waits out the 300 s stabilization window, then drops at up to 100 % per 15 s', () => {
    const c = hpaConfig({ min: 1, max: 100, targetUtilization: 0.5 });
    let state = initialHpaState(T0, 4);
    let current = 4;
    // busy for a minute: recommendations 16 (limited by rate); then idle
    const trail: Array<[number, number, string]> = [];
    for (let s = 0; s <= 660; s += 15) {
      const now = T0 + s * 1000;
      const u = s < 60 ? 1 : 0.05;
      const out = reconcileHpa(now, current, () => resourceReplicas(ready(current, u), current, now, c), c, state);
      state = out.state;
      current = out.desired;
      trail.push([s, current, out.reason]);
    }
    const at = (s: number) => trail.find((x) => x[0] === s)!;
    assert.equal(at(0)[1], 8);
    assert.equal(at(45)[1], 64);
    assert.equal(at(60)[1], 64, 'load gone, but the last 300 s recommended 100');
    assert.equal(at(60)[2], 'ScaleDownStabilized');
    assert.equal(at(330)[1], 64, 'the 45 s recommendation is 285 s old');
    // at 345 s every recommendation in the window is the idle one: ceil(0.1 × 64) = 7
    assert.equal(at(345)[1], 7);
    // 7 stays until the last recommendation of 7 (made at 345 s, when 64 replicas idled) is 300 s old
    assert.equal(at(630)[1], 7);
    assert.equal(at(645)[1], 1);
    assert.equal(at(645)[2], 'DesiredWithinRange');
  });

  test('a custom scale-down policy limits the rate: 1 pod per 60 s', () => {
    const b = defaultBehavior(0);
    b.scaleDown.policies = [{ type: 'Pods', value: 1, periodSeconds: 60 }];
    const c = hpaConfig({ min: 1, max: 100, targetUtilization: 0.5, behavior: b });
    let state = initialHpaState(T0, 10);
    let current = 10;
    const seen: number[] = [];
    for (let s = 15; s <= 180; s += 15) {
      const now = T0 + s * 1000;
      const out = reconcileHpa(now, current, () => resourceReplicas(ready(current, 0.05), current, now, c), c, state);
      state = out.state;
      current = out.desired;
      seen.push(current);
    }
    assert.deepEqual(seen, [9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 7]);
  });
});

describe('external per-pod metric (how KEDA drives the HPA)', () => {
  test('ceil(total / target per replica), with the tolerance', () => {
    const p = externalPerPodReplicas(50, 4, 5, 0.1);
    assert.ok(p.ok && p.replicas === 10);
    const q = externalPerPodReplicas(21, 4, 5, 0.1); // 1.05 → within tolerance
    assert.ok(q.ok && q.replicas === 4);
    const r = externalPerPodReplicas(0, 4, 5, 0.1);
    assert.ok(r.ok && r.replicas === 0);
  });
});
