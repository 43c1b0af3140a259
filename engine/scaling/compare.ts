/**
 * `petri bench scaling`: plays one trace through the simulator once per policy (same cell, same
 * seed, same arrivals) and compares SLO-violation minutes, replica-minutes and scale events, with
 * the trace's outage gaps left out of every score.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError } from '../errors.ts';
import { decodeModel } from '../models/index.ts';
import type { CellDoc, CellSpec } from '../organism/index.ts';
import { loadOrganismFile, normaliseCell } from '../organism/index.ts';
import { loadTrace, scaleToPeak, sliceTrace, TRACES_DIR, type Trace } from '../traces/index.ts';
import { forecastReference, weightsFromModel } from './forecast-model.ts';
import { DEFAULT_FORECAST_MODEL, OnnxForecaster } from './forecaster.ts';
import type { ControllerSettings } from './policies.ts';
import { policyConfig } from './policies.ts';
import { simulate, type MinuteRecord } from './simulator.ts';
import type { PolicyName } from './types.ts';

/**
 * The benchmark's cell: a slow service (p50 200 ms, p99 1 s; 4 requests at a time per replica,
 * 16 waiting) whose replicas need a minute to start — a JVM or model server behind an HPA. Slow
 * requests keep the simulated request count (and so the bench's run time) modest.
 *
 * Its predictive knobs were chosen on NASA July days 22–28 only (models/README.md, "Tuning"): size
 * the floor for the forecaster's 95th percentile at 75 % utilization — the fewest July violation
 * minutes among settings costing ≤ 1.04× the HPA's replica-minutes.
 */
export const BENCH_CELL: CellDoc = {
  name: 'api',
  replicas: 2,
  concurrency: 4,
  queue: 16,
  startup: '60s',
  operations: [{ name: 'handle', latency: { p50: '200ms', p99: '1s' } }],
  scaling: {
    policy: 'hpa',
    min: 1,
    max: 20,
    targetUtilization: 0.6,
    targetQueue: 2.4,
    forecast: { quantile: 0.95, utilization: 0.75 },
  },
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

/** Parsed options of `petri bench scaling` (see bench/scaling.ts for the flags). */
export interface ScalingBenchOptions {
  /** Per-minute count file (default fixtures/traces/nasa_aug95_1min.csv). */
  trace?: string;
  from?: number;
  to?: number;
  peakRps?: number;
  sloMs?: number;
  seed?: number;
  policies?: PolicyName[];
  /** Organism manifest and cell to simulate instead of {@link BENCH_CELL}. */
  organism?: string;
  cell?: string;
  forecasterFile?: string;
  /** Write the scores and per-minute records as JSON here. */
  json?: string;
}

async function benchCell(o: ScalingBenchOptions): Promise<CellSpec> {
  if (!o.organism) return normaliseCell(BENCH_CELL);
  const { spec } = await loadOrganismFile(o.organism);
  const cell = o.cell ? spec.cells.find((c) => c.name === o.cell) : spec.cells.find((c) => c.scaling.policy !== 'none');
  if (!cell)
    throw new ValidationError([
      { file: o.organism, path: 'cells', message: o.cell ? `no cell '${o.cell}'` : 'no cell with a scaling policy' },
    ]);
  return cell;
}

/** Forecaster inference cost: µs per call for a batch of 1 and per row for a batch of 64, beside the TypeScript reference. */
async function inferenceCost(file: string | undefined, trace: Trace): Promise<string> {
  const bytes = new Uint8Array(await readFile(file ?? DEFAULT_FORECAST_MODEL));
  const weights = weightsFromModel(await decodeModel(bytes));
  const f = await OnnxForecaster.load(file, { utcOffsetMinutes: trace.utcOffsetMinutes });
  try {
    const history = trace.counts.slice(0, weights.history);
    const one = [{ history, lastMinute: 1000 }];
    const batch = Array.from({ length: 64 }, () => one[0]!);
    for (let i = 0; i < 50; i++) await f.forecast(one);
    const time = async (fn: () => unknown, n: number): Promise<number> => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await fn();
      return ((performance.now() - t0) * 1000) / n;
    };
    const onnx1 = await time(() => f.forecast(one), 500);
    const onnx64 = (await time(() => f.forecast(batch), 100)) / 64;
    const ref = await time(() => forecastReference(weights, history, 600), 500);
    return `forecaster inference: ONNX ${onnx1.toFixed(0)} µs per call (batch 1), ${onnx64.toFixed(1)} µs per row (batch 64); TypeScript reference ${ref.toFixed(0)} µs per row → ONNX batch-64 row ${(ref / onnx64).toFixed(1)}× faster than the reference`;
  } finally {
    await f.close();
  }
}

/** The verdict line for the issue's bar: predictive ≤ 0.5× HPA's violations at ≤ 1.05× its replica-minutes. */
export function barVerdict(scores: PolicyScore[]): string | null {
  const hpa = scores.find((s) => s.policy === 'hpa');
  const pred = scores.find((s) => s.policy === 'predictive');
  if (!hpa || !pred || hpa.sloViolationMinutes === 0) return null;
  const v = pred.sloViolationMinutes / hpa.sloViolationMinutes;
  const r = pred.replicaMinutes / hpa.replicaMinutes;
  const pass = v <= 0.5 && r <= 1.05;
  return `predictive vs hpa: ${v.toFixed(2)}× the SLO-violation minutes (bar ≤ 0.50×), ${r.toFixed(3)}× the replica-minutes (bar ≤ 1.05×): ${pass ? 'PASS' : 'MISS'}`;
}

/** `petri bench scaling`: runs the comparison, prints the report, returns it. */
export async function benchScaling(o: ScalingBenchOptions, print: (line: string) => void = console.log): Promise<Comparison> {
  const trace = loadTrace(o.trace ?? join(TRACES_DIR, 'nasa_aug95_1min.csv'));
  const cell = await benchCell(o);
  print(
    `trace ${trace.name}: ${trace.counts.length} minutes, gaps excluded from scores: ${trace.gaps.map((g) => `[${g.start}, ${g.end})`).join(' ') || 'none'}`,
  );
  const result = await compareScaling({
    trace,
    fromMinute: o.from,
    toMinute: o.to,
    cell,
    peakRps: o.peakRps,
    sloMs: o.sloMs,
    seed: o.seed,
    policies: o.policies,
    forecasterFile: o.forecasterFile,
    log: print,
  });
  const c = result.cell;
  print(
    `cell ${c.name}: concurrency ${c.concurrency}, queue ${c.queue}, startup ${c.startupMs / 1000} s, p50/p99 ${c.operations[0]?.p50Ms}/${c.operations[0]?.p99Ms} ms, replicas ${c.scaling.min}–${c.scaling.max}, target ${c.scaling.targetUtilization}`,
  );
  print(
    `peak ${result.peakRps.toFixed(1)} req/s, SLO: minute p99 ≤ ${result.sloMs} ms and ≤ 1 % refused; ${result.minutes.scored} minutes scored, ${result.minutes.excluded} excluded`,
  );
  print('');
  print(result.table);
  print('');
  const verdict = barVerdict(result.scores);
  if (verdict) print(verdict);
  const requests = result.scores.reduce((s, x) => s + x.requests, 0);
  const wall = result.scores.reduce((s, x) => s + x.wallMs, 0);
  const simHours = ((result.minutes.to - result.minutes.from) / 60) * result.scores.length;
  print(
    `simulator: ${(simHours / (wall / 1000)).toFixed(1)} simulated hours per wall second, ${(requests / (wall / 1000) / 1e6).toFixed(2)} M requests per wall second`,
  );
  if (result.scores.some((s) => s.policy === 'predictive')) print(await inferenceCost(o.forecasterFile, trace));
  if (o.json) await writeFile(o.json, `${JSON.stringify({ ...result, table: undefined }, null, 1)}\n`);
  return result;
}
