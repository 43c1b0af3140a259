/**
 * Checking expectations against what was recorded: metric rollups and events in SQLite, on the
 * run's clock (windows are relative to the scenario's start). The same code judges a run while it
 * plays (abortOnFail) and after it ends, and re-judges a recorded run for reports.
 */
import type { EventsRepo, MetricsRepo, RollupRow } from '../store/index.ts';
import { aggregate, gauge, type GaugeAgg } from '../metrics/index.ts';
import type { Comparator } from './schema.ts';
import type { PlannedExpectation } from './model.ts';

/** The verdict on one expectation. */
export interface Verdict {
  name: string;
  passed: boolean;
  /** The observed value in the expectation's unit; null when there was no data. */
  observed: number | null;
  expected: { comparator: Comparator; value: number } | { within: number };
  unit: string;
  /** What was measured, in words (for reports). */
  detail: string;
}

/** Where to look. */
export interface Recorded {
  events: EventsRepo;
  metrics: MetricsRepo;
  runId: number;
  /** Engine time the scenario started at. */
  t0: number;
  /** Incident lookups (the immune system). */
  incidents?: (q: { kind: string; from: number; to: number; source?: string }) => { openedAt: number } | undefined;
  /** Clients of a traffic stream or attack, by name. */
  streamClients?: (name: string) => Set<string> | undefined;
  /** Clients in quarantine at any time in [from, to). */
  quarantined?: (from: number, to: number) => Set<string>;
}

export function compare(c: Comparator, observed: number, value: number): boolean {
  switch (c) {
    case 'below':
      return observed < value;
    case 'above':
      return observed > value;
    case 'atLeast':
      return observed >= value;
    case 'atMost':
      return observed <= value;
  }
}

const UNITS: Record<string, string> = { p50: 'ms', p95: 'ms', p99: 'ms', rps: '/s', replicas: 'replicas', queue: 'requests' };
const DEFAULT_AGG: Record<string, GaugeAgg> = { replicas: 'max', utilization: 'mean', queue: 'mean' };

function s(ms: number): string {
  return `${+(ms / 1000).toFixed(3)}s`;
}

/** Timer jitter allowed at a window's edges when deciding whether a second lies inside it. */
const EDGE_MS = 50;

/**
 * The per-second rollups that lie inside the window. A second that straddles an edge belongs to
 * neither side: `[4s, 10s]` before a step at 10 s must not count the second after it.
 */
function metricRows(e: Extract<PlannedExpectation, { type: 'metric' }>, r: Recorded): RollupRow[] {
  const from = r.t0 + e.fromMs;
  const to = r.t0 + e.toMs;
  const window = { runId: r.runId, from: from - EDGE_MS, to };
  const scoped = e.traffic
    ? { scope: 'stream' as const, key: e.traffic }
    : e.cell
      ? { scope: 'cell' as const, key: e.cell }
      : e.route
        ? { scope: 'route' as const, key: e.route }
        : { scope: 'route' as const };
  return r.metrics.query({ ...window, ...scoped }).filter((row) => row.t + row.span <= to + EDGE_MS);
}

function judgeMetric(e: Extract<PlannedExpectation, { type: 'metric' }>, r: Recorded): Verdict {
  const rows = metricRows(e, r);
  const target = e.traffic ? `stream ${e.traffic}` : e.cell ? `cell ${e.cell}` : e.route ? e.route : 'all routes';
  let observed: number | null = null;
  let how = '';
  if (e.metric === 'replicas' || e.metric === 'utilization' || e.metric === 'queue') {
    const agg = e.agg ?? DEFAULT_AGG[e.metric]!;
    observed = gauge(rows, e.metric, agg) ?? null;
    how = `${agg} `;
  } else if (e.metric === 'quarantined') {
    const clients = e.traffic ? r.streamClients?.(e.traffic) : undefined;
    const q = r.quarantined?.(r.t0 + e.fromMs, r.t0 + e.toMs);
    if (clients?.size && q) observed = [...clients].filter((c) => q.has(c)).length / clients.size;
  } else {
    const a = aggregate(rows);
    if (a.count > 0) observed = a[e.metric];
  }
  return {
    name: e.name,
    passed: observed !== null && compare(e.comparator, observed, e.threshold),
    observed: observed === null ? null : +observed.toFixed(4),
    expected: { comparator: e.comparator, value: e.threshold },
    unit: UNITS[e.metric] ?? '',
    detail: `${how}${e.metric} of ${target} over [${s(e.fromMs)}, ${s(e.toMs)}]`,
  };
}

function judgeEvent(e: Extract<PlannedExpectation, { type: 'event' }>, r: Recorded): Verdict {
  const found = r.events.query({
    runId: r.runId,
    types: [e.event],
    from: r.t0 + e.fromMs,
    to: r.t0 + e.toMs,
    limit: 1_000_000,
    ...(e.cell ? { cell: e.cell } : {}),
  });
  const n = e.job ? found.filter((x) => x.data.job === e.job).length : found.length;
  return {
    name: e.name,
    passed: compare(e.comparator, n, e.threshold),
    observed: n,
    expected: { comparator: e.comparator, value: e.threshold },
    unit: 'events',
    detail: `${e.event} events${e.cell ? ` of ${e.cell}` : ''}${e.job ? ` of job ${e.job}` : ''} in [${s(e.fromMs)}, ${s(e.toMs)}]`,
  };
}

function judgeIncident(e: Extract<PlannedExpectation, { type: 'incident' }>, r: Recorded): Verdict {
  const from = r.t0 + e.afterMs;
  const hit = r.incidents?.({ kind: e.kind, from, to: from + e.withinMs, ...(e.source ? { source: e.source } : {}) });
  const observed = hit ? Math.round(hit.openedAt - from) : null;
  return {
    name: e.name,
    passed: observed !== null && observed <= e.withinMs,
    observed,
    expected: { within: e.withinMs },
    unit: 'ms',
    detail: `a ${e.kind} incident opens within ${s(e.withinMs)} of ${s(e.afterMs)}${e.source ? ` with only ${e.source}'s clients` : ''}`,
  };
}

/** Judges one expectation on what is recorded so far. */
export function judge(e: PlannedExpectation, r: Recorded): Verdict {
  switch (e.type) {
    case 'metric':
      return judgeMetric(e, r);
    case 'event':
      return judgeEvent(e, r);
    case 'incident':
      return judgeIncident(e, r);
  }
}

/** When an expectation can first be judged for good (scenario ms): the end of its window. */
export function decidableAt(e: PlannedExpectation): number {
  return e.type === 'incident' ? e.afterMs + e.withinMs : e.toMs;
}
