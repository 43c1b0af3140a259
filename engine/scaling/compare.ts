/**
 * `petri bench scaling`: plays one trace through the simulator once per policy (same cell, same
 * seed, same arrivals) and compares SLO-violation minutes, replica-minutes and scale events, with
 * the trace's outage gaps left out of every score.
 */
import type { CellDoc, CellSpec } from '../organism/index.ts';
import { normaliseCell } from '../organism/index.ts';
import { scaleToPeak, sliceTrace, type Trace } from '../traces/index.ts';
import { OnnxForecaster } from './forecaster.ts';
import type { ControllerSettings } from './policies.ts';
import { policyConfig } from './policies.ts';
import { simulate, type MinuteRecord } from './simulator.ts';
import type { PolicyName } from './types.ts';

/**
 * The benchmark's cell: a slow service (p50 200 ms, p99 1 s; 4 requests at a time per replica,
 * 16 waiting) whose replicas need a minute to start — a JVM or model server behind an HPA. Slow
 * requests keep the simulated request count (and so the bench's run time) modest.
 */
export const BENCH_CELL: CellDoc = {
  name: 'api',
  replicas: 2,
  concurrency: 4,
  queue: 16,
  startup: '60s',
  operations: [{ name: 'handle', latency: { p50: '200ms', p99: '1s' } }],
  scaling: { policy: 'hpa', min: 1, max: 20, targetUtilization: 0.6, targetQueue: 2.4 },
};

/** Options of {@link compareScaling}. */
export interface CompareOptions {
  trace: Trace;
  /** Minutes of the trace to play, `[from, to)` (default: all). */
  fromMinute?: number;
  toMinute?: number;
  /** The cell (default {@link BENCH_CELL}); its `scaling` is replaced by each policy in turn. */
  cell?: CellSpec;
  /**
   * Rate of the trace's busiest minute (req/s). Default: the rate at which the cell needs all of
   * its `max` replicas at its target utilization — the pool saturates its scaling range at peak.
   */
  peakRps?: number;
  /** Minute p99 above this (ms) violates the SLO (default: twice the operation's p99). */
  sloMs?: number;
  policies?: PolicyName[];
  seed?: number;
  /** ONNX forecaster for the predictive policy (default models/forecast.onnx). */
  forecasterFile?: string;
  settings?: ControllerSettings;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One policy's scores over the scored (non-gap) minutes. */
export interface PolicyScore {
  policy: PolicyName;
  sloViolationMinutes: number;
  scoredMinutes: number;
  replicaMinutes: number;
  scaleEvents: number;
  requests: number;
  rejected: number;
  wallMs: number;
  /** Simulated hours per wall-clock second. */
  speed: number;
}

/** Everything {@link compareScaling} measured. */
export interface Comparison {
  trace: string;
  minutes: { from: number; to: number; scored: number; excluded: number };
  peakRps: number;
  sloMs: number;
  cell: CellSpec;
  scores: PolicyScore[];
  /** Each policy's per-minute records (for charts and checks). */
  records: Partial<Record<PolicyName, MinuteRecord[]>>;
  table: string;
}

function withPolicy(cell: CellSpec, policy: PolicyName): CellSpec {
  return { ...cell, scaling: { ...cell.scaling, policy } };
}

/** The default peak: every `max` replica busy at the target utilization. */
export function saturatingPeak(cell: CellSpec): number {
  const cfg = policyConfig(cell);
  return cell.scaling.max * cfg.capacityPrior * cell.scaling.targetUtilization;
}

function score(policy: PolicyName, records: MinuteRecord[], valid: Uint8Array, wallMs: number, simulatedMs: number): PolicyScore {
  const s: PolicyScore = {
    policy,
    sloViolationMinutes: 0,
    scoredMinutes: 0,
    replicaMinutes: 0,
    scaleEvents: 0,
    requests: 0,
    rejected: 0,
    wallMs,
    speed: simulatedMs / 3_600_000 / (wallMs / 1000),
  };
  for (const m of records) {
    if (!valid[m.minute]) continue;
    s.scoredMinutes++;
    if (m.violated) s.sloViolationMinutes++;
    s.replicaMinutes += m.replicaMinutes;
    s.scaleEvents += m.scaleEvents;
    s.requests += m.arrivals;
    s.rejected += m.rejected;
  }
  return s;
}

/** Markdown table of the scores with ratios against the first policy (the baseline). */
export function formatComparison(scores: PolicyScore[]): string {
  const base = scores[0];
  const ratio = (a: number, b: number | undefined): string => (b ? `${(a / b).toFixed(2)}×` : '–');
  const lines = [
    '| policy | SLO-violation minutes | vs baseline | replica-minutes | vs baseline | scale events | 503s | sim h/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const s of scores)
    lines.push(
      `| ${s.policy} | ${s.sloViolationMinutes} | ${ratio(s.sloViolationMinutes, base?.sloViolationMinutes)} | ${Math.round(s.replicaMinutes)} | ${ratio(s.replicaMinutes, base?.replicaMinutes)} | ${s.scaleEvents} | ${s.rejected} | ${s.speed.toFixed(1)} |`,
    );
  return lines.join('\n');
}

/** Runs every policy over the trace and scores them. */
export async function compareScaling(o: CompareOptions): Promise<Comparison> {
  const cell = o.cell ?? normaliseCell(BENCH_CELL);
  const trace = sliceTrace(o.trace, o.fromMinute ?? 0, o.toMinute ?? o.trace.counts.length);
  const peakRps = o.peakRps ?? saturatingPeak(cell);
  const rates = scaleToPeak(trace, peakRps);
  const sloMs = o.sloMs ?? 2 * (cell.operations[0]?.p99Ms ?? 100);
  const policies = o.policies ?? ['hpa', 'predictive', 'queue-lag'];
  const scores: PolicyScore[] = [];
  const records: Comparison['records'] = {};
  for (const policy of policies) {
    const forecaster =
      policy === 'predictive'
        ? await OnnxForecaster.load(o.forecasterFile, { utcOffsetMinutes: trace.utcOffsetMinutes })
        : undefined;
    try {
      const run = await simulate({
        cell: withPolicy(cell, policy),
        rates,
        startMs: trace.startMs,
        seed: o.seed ?? 1,
        sloMs,
        forecaster,
        settings: o.settings,
      });
      const s = score(policy, run.minutes, trace.valid, run.wallMs, run.simulatedMs);
      scores.push(s);
      records[policy] = run.minutes;
      o.log?.(
        `${policy}: ${s.sloViolationMinutes} violation minutes, ${Math.round(s.replicaMinutes)} replica-minutes, ${s.scaleEvents} scale events (${(run.wallMs / 1000).toFixed(1)} s, ${s.speed.toFixed(1)} simulated h/s)`,
      );
    } finally {
      await forecaster?.close();
    }
  }
  const scored = trace.valid.reduce((a, b) => a + b, 0);
  return {
    trace: trace.name,
    minutes: {
      from: o.fromMinute ?? 0,
      to: (o.fromMinute ?? 0) + trace.counts.length,
      scored,
      excluded: trace.counts.length - scored,
    },
    peakRps,
    sloMs,
    cell,
    scores,
    records,
    table: formatComparison(scores),
  };
}
