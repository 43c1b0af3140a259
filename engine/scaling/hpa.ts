/**
 * The Kubernetes Horizontal Pod Autoscaler, as pure functions.
 *
 * Follows kubernetes/pkg/controller/podautoscaler (replica_calculator.go `GetResourceReplicas`,
 * `GetExternalPerPodMetricReplicas`; horizontal.go `reconcileAutoscaler`, `normalizeDesiredReplicas`,
 * `normalizeDesiredReplicasWithBehaviors`, `stabilizeRecommendation[WithBehaviors]`,
 * `convertDesiredReplicasWithRules`, `convertDesiredReplicasWithBehaviorRate`,
 * `calculateScale{Up,Down}Limit…`), read and re-expressed, with its quirks kept:
 * - utilization is an integer percentage (`metricsTotal·100 / requestsTotal`, truncated), so a
 *   ratio just over the tolerance can fall inside it;
 * - pods not yet ready are left out of the average; on a scale-up they come back at 0 %, and a
 *   change of direction caused by that cancels the scale;
 * - pods with no metric count as 100 % (or the target, if higher) on a scale-down and 0 % on a
 *   scale-up;
 * - without `behavior`: the highest recommendation of the last 5 minutes wins (downscale
 *   stabilization), then the scale-up is capped at max(2 × current, 4);
 * - with `behavior`: the recommendation is clamped between the lowest of the scale-up window and
 *   the highest of the scale-down window, then rate-limited by the policies over their periods.
 *
 * The controller's memory (recommendations and scale events) is an explicit {@link HpaState}
 * value: same inputs and state in, same decision and state out.
 */
import type { PodSample } from './types.ts';

/** One scaling policy: at most `value` pods or percent per `periodSeconds`. */
export interface ScalingPolicyRule {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

/** `behavior.scaleUp` / `behavior.scaleDown` of an autoscaling/v2 HPA. */
export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: ScalingPolicyRule[];
}

/** `spec.behavior` of an autoscaling/v2 HPA. */
export interface HpaBehavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** The behavior Kubernetes fills in when an HPA sets `behavior` without rules (its documented defaults). */
export function defaultBehavior(scaleDownStabilizationSeconds = 300): HpaBehavior {
  return {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [
        { type: 'Pods', value: 4, periodSeconds: 15 },
        { type: 'Percent', value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: {
      stabilizationWindowSeconds: scaleDownStabilizationSeconds,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    },
  };
}

/** Configuration of one HPA. */
export interface HpaConfig {
  min: number;
  max: number;
  /** Target average utilization, 0–1 (Kubernetes: `averageUtilization` percent / 100). */
  targetUtilization: number;
  /** `--horizontal-pod-autoscaler-tolerance` (0.1). */
  tolerance: number;
  /** `spec.behavior`, or null for the legacy code path. */
  behavior: HpaBehavior | null;
  /** Legacy path: `--horizontal-pod-autoscaler-downscale-stabilization` (5 minutes). */
  downscaleStabilizationMs: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period` (5 minutes). */
  cpuInitializationPeriodMs: number;
  /** Span of one metric sample; a pod ready for less than this has no full sample yet. */
  metricWindowMs: number;
}

/** Fills the defaults of {@link HpaConfig}. */
export function hpaConfig(partial: Partial<HpaConfig> & Pick<HpaConfig, 'min' | 'max' | 'targetUtilization'>): HpaConfig {
  return {
    tolerance: 0.1,
    behavior: defaultBehavior(),
    downscaleStabilizationMs: 300_000,
    cpuInitializationPeriodMs: 300_000,
    metricWindowMs: 15_000,
    ...partial,
  };
}

/** The HPA controller's memory for one target. */
export interface HpaState {
  recommendations: Array<{ t: number; replicas: number }>;
  scaleUpEvents: Array<{ t: number; change: number }>;
  scaleDownEvents: Array<{ t: number; change: number }>;
}

/** A fresh state: Kubernetes seeds the recommendations with the current replicas on first sight. */
export function initialHpaState(now: number, currentReplicas: number): HpaState {
  return { recommendations: [{ t: now, replicas: currentReplicas }], scaleUpEvents: [], scaleDownEvents: [] };
}

/** What a metric computation proposes, with the numbers behind it. */
export type MetricProposal =
  | { ok: true; replicas: number; inputs: Record<string, number>; note: string }
  | { ok: false; reason: string; message: string; inputs: Record<string, number> };

const REQUEST_MILLI = 1000;

/** Pod utilization as Kubernetes holds it: integer milli-units of a 1000-milli request. */
function milli(u: number): number {
  return Math.round(u * REQUEST_MILLI);
}

/** `GetResourceUtilizationRatio`: the integer-percent utilization and its ratio to the target. */
function utilizationRatio(values: number[], targetPct: number): { ratio: number; pct: number } {
  const total = values.reduce((a, b) => a + b, 0);
  const pct = Math.trunc((total * 100) / (values.length * REQUEST_MILLI));
  return { ratio: pct / targetPct, pct };
}

interface PodGroups {
  ready: number[];
  unready: number;
  missing: number;
}

/** `groupPods`: which pods' metrics count, which are unready, which have none. */
function groupPods(pods: PodSample[], now: number, cfg: HpaConfig): PodGroups {
  const g: PodGroups = { ready: [], unready: 0, missing: 0 };
  for (const pod of pods) {
    if (pod.state !== 'ready') {
      g.unready++;
      continue;
    }
    if (pod.utilization === undefined) {
      g.missing++;
      continue;
    }
    // Within the initialization period a pod whose sample began before it was ready is ignored.
    const started = pod.startedAt ?? pod.readySince ?? -Infinity;
    const initializing = started + cfg.cpuInitializationPeriodMs > now;
    if (initializing && (pod.readySince ?? -Infinity) + cfg.metricWindowMs > now) {
      g.unready++;
      continue;
    }
    g.ready.push(milli(pod.utilization));
  }
  return g;
}

/**
 * `GetResourceReplicas`: the replicas a resource-utilization metric asks for, or the current
 * count when the change is within tolerance or the unready/missing pods reverse its direction.
 */
export function resourceReplicas(pods: PodSample[], currentReplicas: number, now: number, cfg: HpaConfig): MetricProposal {
  const targetPct = Math.round(cfg.targetUtilization * 100);
  const g = groupPods(pods, now, cfg);
  const counts = { readyPods: g.ready.length, unreadyPods: g.unready, missingPods: g.missing, targetPct };
  if (g.ready.length === 0)
    return {
      ok: false,
      reason: 'MissingMetrics',
      message: 'no metrics for ready replicas (they may be starting)',
      inputs: counts,
    };
  const { ratio, pct } = utilizationRatio(g.ready, targetPct);
  const inputs = { ...counts, utilizationPct: pct, usageRatio: ratio };
  const scaleUpWithUnready = g.unready > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing === 0) {
    if (Math.abs(1 - ratio) <= cfg.tolerance) return { ok: true, replicas: currentReplicas, inputs, note: 'within tolerance' };
    return { ok: true, replicas: Math.ceil(ratio * g.ready.length), inputs, note: 'all pods have metrics' };
  }
  const values = [...g.ready];
  // Missing pods: 100 % (or the target if higher) on a scale-down, 0 % on a scale-up.
  if (ratio < 1) for (let i = 0; i < g.missing; i++) values.push((Math.max(100, targetPct) * REQUEST_MILLI) / 100);
  else if (ratio > 1) for (let i = 0; i < g.missing; i++) values.push(0);
  // Unready pods on a scale-up count at 0 %.
  if (scaleUpWithUnready) for (let i = 0; i < g.unready; i++) values.push(0);
  const next = utilizationRatio(values, targetPct).ratio;
  const withRebalance = { ...inputs, rebalancedRatio: next };
  if (Math.abs(1 - next) <= cfg.tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1))
    return { ok: true, replicas: currentReplicas, inputs: withRebalance, note: 'unready or missing pods cancel the change' };
  const replicas = Math.ceil(next * values.length);
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas))
    return { ok: true, replicas: currentReplicas, inputs: withRebalance, note: 'pod count would reverse the direction' };
  return { ok: true, replicas, inputs: withRebalance, note: 'unready pods at 0 %, missing pods filled in' };
}

/**
 * `GetExternalPerPodMetricReplicas` (how KEDA's scalers drive an HPA): an external total with an
 * `AverageValue` target per replica. Scales when the per-replica average is off by more than the
 * tolerance, to ceil(total / target).
 */
export function externalPerPodReplicas(
  total: number,
  statusReplicas: number,
  targetPerPod: number,
  tolerance: number,
): MetricProposal {
  const ratio = statusReplicas > 0 ? total / (targetPerPod * statusReplicas) : Infinity;
  const inputs = { total, targetPerReplica: targetPerPod, usageRatio: ratio };
  if (Math.abs(1 - ratio) <= tolerance) return { ok: true, replicas: statusReplicas, inputs, note: 'within tolerance' };
  return { ok: true, replicas: Math.ceil(total / targetPerPod), inputs, note: 'per-replica average off target' };
}

/** The outcome of one HPA sync. */
export interface HpaOutcome {
  desired: number;
  reason: string;
  message: string;
  /** What the metric asked for before stabilization and limits (null when it was not consulted). */
  proposed: number | null;
  state: HpaState;
}

function sumWithin(events: Array<{ t: number; change: number }>, now: number, periodSeconds: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.t > cutoff) sum += e.change;
  return sum;
}

/** `calculateScaleUpLimitWithScalingRules`. */
function scaleUpLimit(current: number, state: HpaState, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const p of rules.policies) {
    const start =
      current - sumWithin(state.scaleUpEvents, now, p.periodSeconds) + sumWithin(state.scaleDownEvents, now, p.periodSeconds);
    // Rounded up, or a small target could never grow by a percentage.
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** `calculateScaleDownLimitWithBehaviors`. */
function scaleDownLimit(current: number, state: HpaState, rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const p of rules.policies) {
    const start =
      current - sumWithin(state.scaleUpEvents, now, p.periodSeconds) + sumWithin(state.scaleDownEvents, now, p.periodSeconds);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** Records a recommendation, dropping ones older than every window that could still read it. */
function record(state: HpaState, now: number, replicas: number, keepMs: number): HpaState['recommendations'] {
  return [...state.recommendations.filter((r) => r.t > now - keepMs), { t: now, replicas }];
}

/** Legacy path (`behavior` unset): 5-minute downscale stabilization, then min/max and max(2×, 4). */
function normalizeLegacy(now: number, current: number, proposed: number, cfg: HpaConfig, state: HpaState): HpaOutcome {
  const cutoff = now - cfg.downscaleStabilizationMs;
  let stabilized = proposed;
  for (const r of state.recommendations) if (r.t >= cutoff && r.replicas > stabilized) stabilized = r.replicas;
  const next: HpaState = { ...state, recommendations: record(state, now, proposed, cfg.downscaleStabilizationMs) };
  const upLimit = Math.max(2 * current, 4);
  const maxAllowed = Math.min(cfg.max, upLimit);
  if (stabilized < cfg.min)
    return {
      desired: cfg.min,
      reason: 'TooFewReplicas',
      message: 'the desired replica count is less than the minimum replica count',
      proposed,
      state: next,
    };
  if (stabilized > maxAllowed) {
    const limitedByRate = cfg.max > upLimit;
    return {
      desired: maxAllowed,
      reason: limitedByRate ? 'ScaleUpLimit' : 'TooManyReplicas',
      message: limitedByRate
        ? 'the desired replica count is increasing faster than the maximum scale rate (2× or 4)'
        : 'the desired replica count is more than the maximum replica count',
      proposed,
      state: next,
    };
  }
  const reason = stabilized !== proposed ? 'ScaleDownStabilized' : 'DesiredWithinRange';
  const message =
    stabilized !== proposed
      ? 'recent recommendations were higher than current one, applying the highest recent recommendation'
      : 'the desired count is within the acceptable range';
  return { desired: stabilized, reason, message, proposed, state: next };
}

/** `stabilizeRecommendationWithBehaviors`: clamp between the scale-up window's min and the scale-down window's max. */
function stabilizeWithBehavior(now: number, current: number, proposed: number, b: HpaBehavior, state: HpaState) {
  const upCutoff = now - b.scaleUp.stabilizationWindowSeconds * 1000;
  const downCutoff = now - b.scaleDown.stabilizationWindowSeconds * 1000;
  let up = proposed;
  let down = proposed;
  for (const r of state.recommendations) {
    if (r.t > upCutoff) up = Math.min(up, r.replicas);
    if (r.t > downCutoff) down = Math.max(down, r.replicas);
  }
  let stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  const keepMs = Math.max(b.scaleUp.stabilizationWindowSeconds, b.scaleDown.stabilizationWindowSeconds) * 1000;
  return { stabilized, recommendations: record(state, now, proposed, keepMs) };
}

/** Behavior path: stabilization windows, then min/max and the scale-up/scale-down policies. */
function normalizeWithBehavior(
  now: number,
  current: number,
  proposed: number,
  cfg: HpaConfig,
  state: HpaState,
  b: HpaBehavior,
): HpaOutcome {
  const { stabilized, recommendations } = stabilizeWithBehavior(now, current, proposed, b, state);
  const next: HpaState = { ...state, recommendations };
  const stabilizedReason = proposed >= current ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
  const base =
    stabilized !== proposed
      ? { reason: stabilizedReason, message: `recent recommendations stabilize ${proposed} to ${stabilized}` }
      : { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, state, b.scaleUp, now));
    const rateBound = cfg.max > limit;
    const maxAllowed = Math.min(cfg.max, limit);
    if (stabilized > maxAllowed)
      return {
        desired: maxAllowed,
        reason: rateBound ? 'ScaleUpLimit' : 'TooManyReplicas',
        message: rateBound
          ? 'the desired replica count is increasing faster than the maximum scale rate'
          : 'the desired replica count is more than the maximum replica count',
        proposed,
        state: next,
      };
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, state, b.scaleDown, now));
    const rateBound = cfg.min < limit;
    const minAllowed = Math.max(cfg.min, limit);
    if (stabilized < minAllowed)
      return {
        desired: minAllowed,
        reason: rateBound ? 'ScaleDownLimit' : 'TooFewReplicas',
        message: rateBound
          ? 'the desired replica count is decreasing faster than the maximum scale rate'
          : 'the desired replica count is less than the minimum replica count',
        proposed,
        state: next,
      };
  }
  return { desired: stabilized, ...base, proposed, state: next };
}

/** `storeScaleEvent`: the behavior path remembers changes for its rate limits. */
function storeScaleEvent(state: HpaState, b: HpaBehavior | null, now: number, from: number, to: number): HpaState {
  if (!b || from === to) return state;
  const longest = (r: ScalingRules): number => Math.max(0, ...r.policies.map((p) => p.periodSeconds)) * 1000;
  if (to > from)
    return {
      ...state,
      scaleUpEvents: [...state.scaleUpEvents.filter((e) => e.t >= now - longest(b.scaleUp)), { t: now, change: to - from }],
    };
  return {
    ...state,
    scaleDownEvents: [...state.scaleDownEvents.filter((e) => e.t >= now - longest(b.scaleDown)), { t: now, change: from - to }],
  };
}

/**
 * `reconcileAutoscaler`: one HPA sync. `proposal` is the metric's answer (see
 * {@link resourceReplicas}, {@link externalPerPodReplicas}); it is not consulted when the current
 * count is outside [min, max] or scaling is disabled (current 0 with min > 0).
 */
export function reconcileHpa(
  now: number,
  current: number,
  proposal: () => MetricProposal,
  cfg: HpaConfig,
  state: HpaState,
): HpaOutcome & { inputs: Record<string, number> } {
  if (current === 0 && cfg.min !== 0)
    return {
      desired: 0,
      reason: 'ScalingDisabled',
      message: 'scaling is disabled since the replica count of the target is zero',
      proposed: null,
      state,
      inputs: {},
    };
  let out: HpaOutcome;
  let inputs: Record<string, number> = {};
  if (current > cfg.max)
    out = { desired: cfg.max, reason: 'TooManyReplicas', message: 'current number of replicas above max', proposed: null, state };
  else if (current < cfg.min)
    out = { desired: cfg.min, reason: 'TooFewReplicas', message: 'current number of replicas below min', proposed: null, state };
  else {
    const p = proposal();
    inputs = p.inputs;
    if (!p.ok) return { desired: current, reason: p.reason, message: p.message, proposed: null, state, inputs };
    out = cfg.behavior
      ? normalizeWithBehavior(now, current, p.replicas, cfg, state, cfg.behavior)
      : normalizeLegacy(now, current, p.replicas, cfg, state);
    if (out.reason === 'DesiredWithinRange' && p.note === 'within tolerance')
      out = { ...out, reason: 'WithinTolerance', message: `usage within ±${cfg.tolerance} of target` };
  }
  return { ...out, state: storeScaleEvent(out.state, cfg.behavior, now, current, out.desired), inputs };
}
