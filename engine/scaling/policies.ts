/**
 * The scaling policies as pure functions of (observation, clock time, config, state[, forecast])
 * → (decision, state):
 * - `hpa`: the Kubernetes HPA on average utilization ({@link resourceReplicas});
 * - `queue-lag`: KEDA-style, an external metric with a per-replica target driving the same HPA
 *   normalization — the metric is the cell's pending requests (in flight + waiting), what a KEDA
 *   queue scaler reads as lag (messages delivered but unacknowledged plus waiting) and what the KEDA
 *   HTTP add-on calls pending requests;
 * - `predictive`: the HPA with a forecast-driven floor. Like AWS predictive scaling (which raises
 *   the group's minimum capacity ahead of forecast load) and Azure's predictive autoscale, the
 *   forecast only ever adds capacity: scale-in is left to the reactive HPA and its stabilization.
 */
import type { CellSpec } from '../organism/index.ts';
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
import { quantileHeadName } from './forecast-model.ts';
import type { CellObservation, PolicyName, ScalingDecision } from './types.ts';

/** Everything a policy needs to know about its cell. */
export interface PolicyConfig {
  cell: string;
  policy: PolicyName;
  hpa: HpaConfig;
  /** queue-lag: pending requests per replica to aim for. */
  targetQueue: number;
  /** Request slots per replica (pending = utilization × concurrency + waiting). */
  concurrency: number;
  startupMs: number;
  /** predictive: how far past now the floor must cover (default: startup + one sync period). */
  leadMs: number;
  /** predictive: multiplies the forecast before sizing (≥ 1 adds a margin for noise). */
  headroom: number;
  /** predictive: the forecaster output sized for (`forecast` = mean, `q95` = 95th percentile). */
  forecastHead: string;
  /** predictive: utilization the forecast is sized at. */
  forecastUtilization: number;
  /** predictive: req/s one replica serves at 100 % utilization until measured (from the latency model). */
  capacityPrior: number;
}

/** Controller-wide settings that shape every cell's config. */
export interface ControllerSettings {
  /** `--horizontal-pod-autoscaler-sync-period` (15 s). */
  syncPeriodMs?: number;
  /** Span of the utilization sample each sync reads (15 s, metrics-server's resolution). */
  metricWindowMs?: number;
}

/** Mean of the lognormal fitted to an operation's p50 and p99 (ms). */
function meanLatencyMs(p50: number, p99: number): number {
  const sigma = (Math.log(Math.max(p99, p50)) - Math.log(p50)) / 2.3263478740408408;
  return p50 * Math.exp((sigma * sigma) / 2);
}

/** Derives a cell's policy config from its normalised spec. */
export function policyConfig(cell: CellSpec, settings: ControllerSettings = {}): PolicyConfig {
  const s = cell.scaling;
  const syncPeriodMs = settings.syncPeriodMs ?? 15_000;
  const op = cell.operations[0];
  const mean = op ? meanLatencyMs(op.p50Ms, op.p99Ms) : 10;
  return {
    cell: cell.name,
    policy: s.policy,
    hpa: hpaConfig({
      min: s.min,
      max: s.max,
      targetUtilization: s.targetUtilization,
      tolerance: s.tolerance,
      behavior: s.behavior === 'default' ? defaultBehavior(s.scaleDownStabilizationMs / 1000) : null,
      downscaleStabilizationMs: s.scaleDownStabilizationMs,
      metricWindowMs: settings.metricWindowMs ?? 15_000,
    }),
    targetQueue: s.targetQueue,
    concurrency: cell.concurrency,
    startupMs: cell.startupMs,
    leadMs: s.forecast.leadMs ?? cell.startupMs + syncPeriodMs,
    headroom: s.forecast.headroom,
    forecastHead: s.forecast.quantile === null ? 'forecast' : quantileHeadName(s.forecast.quantile),
    forecastUtilization: s.forecast.utilization ?? s.targetUtilization,
    capacityPrior: (cell.concurrency * 1000) / Math.max(0.001, mean),
  };
}

/** A policy's memory between syncs. */
export interface PolicyState {
  hpa?: HpaState;
  /** predictive: measured req/s per replica at 100 % utilization (moving average). */
  capacity?: number;
}

/**
 * Forecast rates (req/s) for consecutive minutes, the first being epoch minute `firstMinute`: one
 * series per model head (`forecast`, the mean; `q95`, its 95th percentile…).
 */
export interface Forecast {
  firstMinute: number;
  heads: Record<string, ArrayLike<number>>;
}

/** The result of one policy step. */
export interface PolicyStep {
  decision: ScalingDecision;
  state: PolicyState;
}

function decision(
  obs: CellObservation,
  cfg: PolicyConfig,
  desired: number,
  reason: string,
  message: string,
  inputs: ScalingDecision['inputs'],
): ScalingDecision {
  return { cell: obs.cell, t: obs.t, policy: cfg.policy, current: obs.replicas, desired, reason, message, inputs };
}

function observed(obs: CellObservation): ScalingDecision['inputs'] {
  return {
    utilization: round(obs.utilization),
    rps: round(obs.rps),
    queue: round(obs.queue),
    p99: round(obs.p99),
    ready: obs.ready,
    starting: obs.starting,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function hpaStep(obs: CellObservation, cfg: PolicyConfig, hpa: HpaConfig, state: PolicyState): PolicyStep {
  const prior = state.hpa ?? initialHpaState(obs.t, obs.replicas);
  const out = reconcileHpa(obs.t, obs.replicas, () => resourceReplicas(obs.pods, obs.replicas, obs.t, hpa), hpa, prior);
  const inputs = { ...observed(obs), target: hpa.targetUtilization, proposed: out.proposed, ...out.inputs };
  return { decision: decision(obs, cfg, out.desired, out.reason, out.message, inputs), state: { ...state, hpa: out.state } };
}

/** Pending requests: time-averaged in-flight (utilization × slots) plus waiting. */
export function pendingRequests(obs: CellObservation, concurrency: number): number {
  return obs.utilization * concurrency * obs.ready + obs.queue;
}

function queueLagStep(obs: CellObservation, cfg: PolicyConfig, state: PolicyState): PolicyStep {
  const prior = state.hpa ?? initialHpaState(obs.t, obs.replicas);
  const pending = pendingRequests(obs, cfg.concurrency);
  const out = reconcileHpa(
    obs.t,
    obs.replicas,
    () => externalPerPodReplicas(pending, obs.pods.length, cfg.targetQueue, cfg.hpa.tolerance),
    cfg.hpa,
    prior,
  );
  const inputs = {
    ...observed(obs),
    pending: round(pending),
    targetQueue: cfg.targetQueue,
    proposed: out.proposed,
    ...out.inputs,
  };
  return { decision: decision(obs, cfg, out.desired, out.reason, out.message, inputs), state: { ...state, hpa: out.state } };
}

/** Updates the per-replica capacity estimate from a sync's observation (ignores near-idle samples). */
export function updateCapacity(obs: CellObservation, prior: number | undefined, fallback: number): number {
  const busy = obs.utilization * obs.ready;
  if (obs.utilization < 0.1 || busy <= 0) return prior ?? fallback;
  const sample = obs.servedRps / busy;
  return prior === undefined ? sample : prior + 0.1 * (sample - prior);
}

/** The highest rate of a forecast head over the minutes from `now` to `now + leadMs`, or null without one. */
export function peakForecast(forecast: Forecast | undefined, head: string, now: number, leadMs: number): number | null {
  const series = forecast?.heads[head];
  if (!forecast || !series) return null;
  let peak: number | null = null;
  for (let m = Math.floor(now / 60_000); m <= Math.floor((now + leadMs) / 60_000); m++) {
    const v = series[m - forecast.firstMinute];
    if (v !== undefined && (peak === null || v > peak)) peak = v;
  }
  return peak;
}

function predictiveStep(obs: CellObservation, cfg: PolicyConfig, state: PolicyState, forecast?: Forecast): PolicyStep {
  const capacity = updateCapacity(obs, state.capacity, cfg.capacityPrior);
  const peak = peakForecast(forecast, cfg.forecastHead, obs.t, cfg.leadMs);
  const perReplica = capacity * cfg.forecastUtilization;
  const need = peak === null ? null : Math.ceil((peak * cfg.headroom) / perReplica - 1e-9);
  const floor = need === null ? cfg.hpa.min : Math.min(cfg.hpa.max, Math.max(cfg.hpa.min, need));
  const step = hpaStep(obs, cfg, { ...cfg.hpa, min: floor }, state);
  const d = step.decision;
  const byForecast = floor > cfg.hpa.min && d.desired === floor && d.desired > obs.replicas;
  const inputs = {
    ...d.inputs,
    forecastPeakRps: peak === null ? null : round(peak),
    capacityPerReplica: round(capacity),
    forecastReplicas: need,
    floor,
  };
  const out: ScalingDecision = byForecast
    ? {
        ...d,
        reason: 'Forecast',
        message: `forecast (${cfg.forecastHead}) ${peak!.toFixed(1)} req/s within ${Math.round(cfg.leadMs / 1000)} s needs ${need} replicas at ${Math.round(cfg.forecastUtilization * 100)} %`,
        inputs,
      }
    : { ...d, inputs };
  return { decision: out, state: { ...step.state, capacity } };
}

/** One sync of a cell's policy. */
export function decide(obs: CellObservation, cfg: PolicyConfig, state: PolicyState, forecast?: Forecast): PolicyStep {
  switch (cfg.policy) {
    case 'none':
      return { decision: decision(obs, cfg, obs.replicas, 'NoPolicy', 'scaling policy is none', observed(obs)), state };
    case 'hpa':
      return hpaStep(obs, cfg, cfg.hpa, state);
    case 'queue-lag':
      return queueLagStep(obs, cfg, state);
    case 'predictive':
      return predictiveStep(obs, cfg, state, forecast);
  }
}
