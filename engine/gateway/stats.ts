/** Per-route request statistics: per interval (for frames and rollups) and cumulative (Prometheus). */
import type { RouteStats } from '../api/schema.ts';
import { Histogram } from '../metrics/index.ts';

/** Counters of one route. */
export class RouteCounters {
  readonly route: string;
  readonly cell: string;
  hist = new Histogram();
  /** Latency minus the cell's own time, for requests a cell answered. */
  overhead = new Histogram();
  count = 0;
  ok = 0;
  c4xx = 0;
  c5xx = 0;
  timeouts = 0;
  blocked = 0;
  /** Cumulative since start (never reset). */
  readonly total = { hist: new Histogram(), overhead: new Histogram(), count: 0, byStatus: new Map<number, number>() };

  constructor(route: string, cell: string) {
    this.route = route;
    this.cell = cell;
  }

  /** One answered request; `cellMs` is the time its answer spent in the cell, when a cell answered. */
  record(status: number, latencyMs: number, flags: { timeout?: boolean; blocked?: boolean; cellMs?: number } = {}): void {
    this.count++;
    if (status < 400) this.ok++;
    else if (status < 500) this.c4xx++;
    else this.c5xx++;
    if (flags.timeout) this.timeouts++;
    if (flags.blocked) this.blocked++;
    this.hist.record(latencyMs);
    this.total.count++;
    this.total.hist.record(latencyMs);
    if (flags.cellMs !== undefined) {
      const overhead = Math.max(0, latencyMs - flags.cellMs);
      this.overhead.record(overhead);
      this.total.overhead.record(overhead);
    }
    this.total.byStatus.set(status, (this.total.byStatus.get(status) ?? 0) + 1);
  }

  /** Interval statistics, then resets the interval. */
  collect(intervalMs: number): { stats: RouteStats; hist: Histogram } {
    const h = this.hist;
    const stats: RouteStats = {
      route: this.route,
      cell: this.cell,
      count: this.count,
      rps: (this.count * 1000) / intervalMs,
      ok: this.ok,
      c4xx: this.c4xx,
      c5xx: this.c5xx,
      timeouts: this.timeouts,
      blocked: this.blocked,
      errorRate: this.count ? (this.count - this.ok) / this.count : 0,
      p50: h.quantile(0.5),
      p95: h.quantile(0.95),
      p99: h.quantile(0.99),
      max: h.max,
      overheadP50: this.overhead.count ? this.overhead.quantile(0.5) : 0,
      overheadP99: this.overhead.count ? this.overhead.quantile(0.99) : 0,
    };
    this.hist = new Histogram();
    this.overhead = new Histogram();
    this.count = this.ok = this.c4xx = this.c5xx = this.timeouts = this.blocked = 0;
    return { stats, hist: h };
  }
}
