/**
 * Aggregating rollup rows over a time window: counts add up, quantiles come from the merged
 * histograms (exact to bucket precision, never an average of percentiles), gauges aggregate as
 * asked (max, min, mean, last).
 */
import { Histogram } from './histogram.ts';

/** The fields of a rollup row this needs. */
export interface WindowRow {
  t: number;
  span: number;
  count: number;
  ok: number;
  c4xx: number;
  c5xx: number;
  timeouts: number;
  blocked: number;
  max: number;
  utilization?: number | null;
  queue?: number | null;
  replicas?: number | null;
  hist?: number[] | null;
}

/** A window's aggregate. `undefined` fields had no data in the window. */
export interface WindowAggregate {
  rows: number;
  seconds: number;
  count: number;
  rps: number;
  errorRate: number;
  blocked: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** How a gauge is reduced over a window. */
export type GaugeAgg = 'max' | 'min' | 'mean' | 'last';

/** Aggregates request rows (routes, streams, cells). */
export function aggregate(rows: readonly WindowRow[]): WindowAggregate {
  const h = new Histogram();
  let count = 0;
  let ok = 0;
  let blocked = 0;
  let span = 0;
  let max = 0;
  for (const r of rows) {
    count += r.count;
    ok += r.ok;
    blocked += r.blocked;
    span += r.span;
    max = Math.max(max, r.max);
    if (r.hist) h.mergeData(r.hist, r.max);
  }
  return {
    rows: rows.length,
    seconds: span / 1000,
    count,
    rps: span ? (count * 1000) / span : 0,
    errorRate: count ? (count - ok) / count : 0,
    blocked: count ? blocked / count : 0,
    p50: h.quantile(0.5),
    p95: h.quantile(0.95),
    p99: h.quantile(0.99),
    max,
  };
}

/** Reduces a gauge column over a window; undefined when no row has it. */
export function gauge(
  rows: readonly WindowRow[],
  field: 'utilization' | 'queue' | 'replicas',
  agg: GaugeAgg,
): number | undefined {
  const values = rows.map((r) => r[field]).filter((v): v is number => typeof v === 'number');
  if (!values.length) return undefined;
  switch (agg) {
    case 'max':
      return Math.max(...values);
    case 'min':
      return Math.min(...values);
    case 'mean':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'last':
      return values[values.length - 1];
  }
}
