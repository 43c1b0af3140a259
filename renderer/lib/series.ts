/**
 * Chart tables (uPlot's aligned columns, times in seconds) for the Recycling and Scaling views,
 * and per-stream outcome totals for Faults & Attacks. Pure.
 */
import type { JobRunView, ScalingCellView, StreamStats } from '../../engine/api/schema.ts';
import type { Table } from './metrics-history.ts';

/** Rows and bytes freed by each finished run, oldest first: `[t, rows, bytes]`. */
export function freedTable(runs: readonly JobRunView[]): Table {
  const done = runs.filter((r) => r.outcome !== 'running' && r.outcome !== 'skipped').sort((a, b) => a.startedAt - b.startedAt);
  return [done.map((r) => (r.endedAt ?? r.startedAt) / 1000), done.map((r) => r.rows), done.map((r) => r.bytes)];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Replicas before and after each decision: `[t, current, desired]`. */
export function replicasTable(cell: Pick<ScalingCellView, 'decisions'>): Table {
  const d = [...cell.decisions].sort((a, b) => a.t - b.t);
  return [d.map((x) => x.t / 1000), d.map((x) => x.current), d.map((x) => x.desired)];
}

/**
 * Load the decisions saw (`inputs.rps`) and the forecast (req/s per minute, the `forecast` head),
 * on one time axis: `[t, load, forecast]`, null where a series has no point.
 */
export function loadTable(cell: Pick<ScalingCellView, 'decisions' | 'forecast'>): Table {
  const points = new Map<number, [number | null, number | null]>();
  for (const d of cell.decisions) points.set(d.t / 1000, [num(d.inputs.rps), null]);
  const f = cell.forecast;
  const head = f ? (f.heads.forecast ?? Object.values(f.heads)[0]) : undefined;
  if (f && head)
    head.forEach((v, i) => {
      const t = (f.firstMinute + i) * 60;
      const had = points.get(t);
      points.set(t, [had?.[0] ?? null, num(v)]);
    });
  const ts = [...points.keys()].sort((a, b) => a - b);
  return [ts, ts.map((t) => points.get(t)![0]), ts.map((t) => points.get(t)![1])];
}

/** What a stream's requests came to, summed over the seconds seen. */
export interface Outcomes {
  sent: number;
  ok: number;
  c4xx: number;
  c5xx: number;
  blocked: number;
  timeouts: number;
  errors: number;
  /** Requests per second in the latest second. */
  rps: number;
}

/** Adds one metrics frame's per-stream seconds to the totals (a new map; streams not in it stay). */
export function addOutcomes(totals: ReadonlyMap<string, Outcomes>, streams: readonly StreamStats[]): Map<string, Outcomes> {
  const next = new Map(totals);
  for (const s of streams) {
    const t = next.get(s.name) ?? { sent: 0, ok: 0, c4xx: 0, c5xx: 0, blocked: 0, timeouts: 0, errors: 0, rps: 0 };
    next.set(s.name, {
      sent: t.sent + s.sent,
      ok: t.ok + s.ok,
      c4xx: t.c4xx + s.c4xx,
      c5xx: t.c5xx + s.c5xx,
      blocked: t.blocked + s.blocked,
      timeouts: t.timeouts + s.timeouts,
      errors: t.errors + s.errors,
      rps: s.rps,
    });
  }
  return next;
}

/** Counts for axes and legends: `12`, `1.2k`, `3.4M`. */
export function formatCount(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a < 1000) return String(Math.round(v * 10) / 10);
  if (a < 1e6) return `${(v / 1000).toFixed(a < 10_000 ? 1 : 0).replace(/\.0$/, '')}k`;
  return `${(v / 1e6).toFixed(a < 1e7 ? 1 : 0).replace(/\.0$/, '')}M`;
}
