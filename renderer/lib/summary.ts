/** The header's organism-wide figures from one metrics frame. Pure. */
import type { CellView, MetricsFrame } from '../../engine/api/schema.ts';

/** Organism-wide figures. */
export interface Summary {
  /** Gateway requests per second, all routes. */
  rps: number;
  /** Share of gateway requests not answered 2xx/3xx. */
  errorRate: number;
  /** Worst p99 of any route with traffic (ms). */
  p99: number;
  ready: number;
  desired: number;
  cells: number;
}

/** Figures of a frame, with replica counts from the organism. */
export function summarize(frame: MetricsFrame | undefined, cells: readonly CellView[]): Summary {
  let count = 0;
  let failed = 0;
  let rps = 0;
  let p99 = 0;
  for (const r of frame?.routes ?? []) {
    rps += r.rps;
    count += r.count;
    failed += r.errorRate * r.count;
    if (r.count > 0) p99 = Math.max(p99, r.p99);
  }
  return {
    rps,
    errorRate: count ? failed / count : 0,
    p99,
    ready: cells.reduce((s, c) => s + c.replicas.filter((r) => r.state === 'ready').length, 0),
    desired: cells.reduce((s, c) => s + c.desired, 0),
    cells: cells.length,
  };
}
