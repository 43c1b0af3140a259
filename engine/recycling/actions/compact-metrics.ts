/**
 * compact-metrics: per-second rollups older than `olderThan` become one row per minute.
 *
 * How each column is merged (the view and the scenario checks read either span):
 * - counters (`count`, `ok`, `c4xx`, `c5xx`, `timeouts`, `blocked`) are summed;
 * - `max` is the maximum;
 * - with histograms (route rows), the sparse histograms are added bucket by bucket and p50/p95/p99
 *   are recomputed from the sum, so a window quantile over compacted minutes is exactly what it
 *   was over the seconds (to the histogram's ±1.6 % bucket precision);
 * - without histograms (cell rows), p50 and p95 are count-weighted means and p99 is the highest
 *   per-second p99 (an upper bound: percentiles cannot be merged exactly without the histogram);
 * - gauges: `utilization` and `queue` are span-weighted means, `replicas` the maximum (the
 *   capacity that was there at some point in the minute).
 * Only whole minutes that ended before the cutoff are compacted, so a minute is never split.
 */
import { Histogram } from '../../metrics/index.ts';
import { retention, type RollupRow } from '../../store/index.ts';
import type { ActionResult, RecyclingAction } from '../types.ts';
import { yieldToLoop } from './util.ts';

const MINUTE = 60_000;
const MINUTES_PER_BATCH = 10;

function weightedMean(
  rows: RollupRow[],
  value: (r: RollupRow) => number | null | undefined,
  weight: (r: RollupRow) => number,
): number | null {
  let sum = 0;
  let w = 0;
  for (const r of rows) {
    const v = value(r);
    if (v === null || v === undefined) continue;
    sum += v * weight(r);
    w += weight(r);
  }
  return w > 0 ? sum / w : null;
}

function quantiles(rows: RollupRow[], max: number): Pick<RollupRow, 'p50' | 'p95' | 'p99' | 'hist'> {
  const counted = rows.filter((r) => r.count > 0);
  if (counted.length > 0 && counted.every((r) => r.hist)) {
    const h = new Histogram();
    for (const r of rows) if (r.hist) h.mergeData(r.hist, r.max);
    return { p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), hist: h.toData() };
  }
  const byCount = (r: RollupRow): number => r.count;
  return {
    p50: weightedMean(counted, (r) => r.p50, byCount) ?? 0,
    p95: weightedMean(counted, (r) => r.p95, byCount) ?? 0,
    p99: Math.min(max, Math.max(0, ...counted.map((r) => r.p99))),
    hist: null,
  };
}

/** Merges the rows of one series (run, scope, key) within one minute into a per-minute row. */
export function mergeMinute(rows: RollupRow[], minute: number): RollupRow {
  const first = rows[0]!;
  const sum = (f: (r: RollupRow) => number): number => rows.reduce((s, r) => s + f(r), 0);
  const max = Math.max(0, ...rows.map((r) => r.max));
  const replicas = rows.map((r) => r.replicas).filter((v): v is number => typeof v === 'number');
  const bySpan = (r: RollupRow): number => r.span;
  return {
    runId: first.runId,
    scope: first.scope,
    key: first.key,
    t: minute,
    span: MINUTE,
    count: sum((r) => r.count),
    ok: sum((r) => r.ok),
    c4xx: sum((r) => r.c4xx),
    c5xx: sum((r) => r.c5xx),
    timeouts: sum((r) => r.timeouts),
    blocked: sum((r) => r.blocked),
    max,
    ...quantiles(rows, max),
    utilization: weightedMean(rows, (r) => r.utilization, bySpan),
    queue: weightedMean(rows, (r) => r.queue, bySpan),
    replicas: replicas.length ? Math.max(...replicas) : null,
  };
}

/** Groups a minute's rows by series and merges each group. */
export function compactMinute(rows: RollupRow[], minute: number): RollupRow[] {
  const groups = new Map<string, RollupRow[]>();
  for (const r of rows) {
    const id = `${r.runId}\u0000${r.scope}\u0000${r.key}`;
    const g = groups.get(id);
    if (g) g.push(r);
    else groups.set(id, [r]);
  }
  return [...groups.values()].map((g) => mergeMinute(g, minute));
}

/** The `compact-metrics` action (see the comment at the top of this file). */
export const compactMetrics: RecyclingAction = {
  name: 'compact-metrics',
  summary: 'downsamples per-second metric rollups older than olderThan to per-minute rows',
  knobs: { olderThan: { default: null, description: 'per-second rollups older than this become per-minute rows' } },
  async run(ctx): Promise<ActionResult> {
    const olderThan = ctx.knobs.olderThanMs;
    if (olderThan === undefined) return { outcome: 'noop', rows: 0, bytes: 0, reason: 'olderThan is not set' };
    const db = ctx.host.db;
    const cutoff = Math.floor((ctx.now - olderThan) / MINUTE) * MINUTE;
    const pages0 = retention.pageStats(db);
    let deleted = 0;
    let inserted = 0;
    let minutes = 0;
    while (!ctx.signal.aborted) {
      const batch = retention.rollupMinutesToCompact(db, cutoff, MINUTES_PER_BATCH);
      if (batch.length === 0) break;
      const rows = batch.flatMap((m) => compactMinute(retention.rollupsInMinute(db, m), m));
      deleted += retention.replaceRollupMinutes(db, batch, rows);
      inserted += rows.length;
      minutes += batch.length;
      await yieldToLoop();
    }
    const pages1 = retention.pageStats(db);
    const bytes = Math.max(0, pages1.freePages - pages0.freePages + (pages0.pageCount - pages1.pageCount)) * pages1.pageSize;
    return {
      rows: deleted - inserted,
      bytes,
      details: { cutoff, minutes, rowsRead: deleted, rowsWritten: inserted, ...(ctx.signal.aborted ? { aborted: true } : {}) },
    };
  },
};
