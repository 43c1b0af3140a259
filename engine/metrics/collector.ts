/**
 * Gathers one metrics frame per interval from the gateway and the cells (and any extra source,
 * like traffic streams), writes the per-second rollups to SQLite in one transaction, keeps recent
 * frames in memory and hands each frame to listeners (the API stream, Prometheus, policies).
 */
import type { MetricsFrame, RouteStats, StreamStats } from '../api/schema.ts';
import type { CellsSnapshot } from '../cells/index.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { MetricsRepo, RollupRow } from '../store/index.ts';
import type { Histogram, HistogramData } from './histogram.ts';

/** Where a frame's parts come from. */
export interface FrameSources {
  routes(intervalMs: number): Array<{ stats: RouteStats; hist: Histogram }>;
  cells(now: number, intervalMs: number): CellsSnapshot;
  /** Traffic streams since the last frame (measured by the load generator). */
  streams?(): Array<{ stats: StreamStats; hist: HistogramData }>;
}

/** Extra rollup rows (e.g. per traffic stream) contributed each interval. */
export type RowSource = (t: number, intervalMs: number) => Array<Omit<RollupRow, 'runId' | 't' | 'span'>>;

/** Options of {@link MetricsCollector}. */
export interface CollectorOptions {
  clock: Clock;
  sources: FrameSources;
  repo: MetricsRepo;
  logger: Logger;
  runId: () => number;
  intervalMs?: number;
  /** Frames kept in memory (default 600 = 10 minutes). */
  keep?: number;
}

/** The per-second metrics pipeline. */
export class MetricsCollector {
  readonly #o: Required<CollectorOptions>;
  readonly #frames: MetricsFrame[] = [];
  readonly #listeners = new Set<(frame: MetricsFrame) => void>();
  readonly #rowSources = new Set<RowSource>();
  #timer: TimerHandle | undefined;
  #last: number;

  constructor(options: CollectorOptions) {
    this.#o = { intervalMs: 1000, keep: 600, ...options };
    this.#last = options.clock.now();
  }

  start(): void {
    this.#last = this.#o.clock.now();
    this.#timer = this.#o.clock.setInterval(() => this.tick(), this.#o.intervalMs);
  }

  stop(): void {
    this.#timer?.cancel();
  }

  onFrame(fn: (frame: MetricsFrame) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  addRowSource(fn: RowSource): () => void {
    this.#rowSources.add(fn);
    return () => this.#rowSources.delete(fn);
  }

  /** Recent frames, oldest first, optionally only those after `since`. */
  frames(since?: number): MetricsFrame[] {
    return since === undefined ? [...this.#frames] : this.#frames.filter((f) => f.t > since);
  }

  get latest(): MetricsFrame | undefined {
    return this.#frames[this.#frames.length - 1];
  }

  /** Collects one interval now (the timer calls this; tests may too). */
  tick(): MetricsFrame {
    const now = this.#o.clock.now();
    const intervalMs = Math.max(1, now - this.#last);
    const t = Math.round(this.#last);
    this.#last = now;
    const routes = this.#o.sources.routes(intervalMs);
    const cells = this.#o.sources.cells(now, intervalMs);
    const streams = this.#o.sources.streams?.() ?? [];
    const frame: MetricsFrame = { t, routes: routes.map((r) => r.stats), ...cells, streams: streams.map((s) => s.stats) };
    this.#frames.push(frame);
    if (this.#frames.length > this.#o.keep) this.#frames.shift();
    this.#persist(frame, routes, streams, t, intervalMs);
    for (const fn of this.#listeners) {
      try {
        fn(frame);
      } catch (err) {
        this.#o.logger.error('metrics listener failed', { err });
      }
    }
    return frame;
  }

  #persist(
    frame: MetricsFrame,
    routes: Array<{ stats: RouteStats; hist: Histogram }>,
    streams: Array<{ stats: StreamStats; hist: HistogramData }>,
    t: number,
    span: number,
  ): void {
    const runId = this.#o.runId();
    const rows: RollupRow[] = routes
      .filter((r) => r.stats.count > 0 || r.stats.route !== '(unmatched)')
      .map(({ stats: s, hist }) => ({
        runId,
        scope: 'route',
        key: s.route,
        t,
        span,
        count: s.count,
        ok: s.ok,
        c4xx: s.c4xx,
        c5xx: s.c5xx,
        timeouts: s.timeouts,
        blocked: s.blocked,
        p50: s.p50,
        p95: s.p95,
        p99: s.p99,
        max: s.max,
        hist: hist.toData(),
      }));
    for (const c of frame.cells)
      rows.push({
        runId,
        scope: 'cell',
        key: c.cell,
        t,
        span,
        count: c.count,
        ok: c.count - c.errors,
        c4xx: 0,
        c5xx: c.errors,
        timeouts: 0,
        blocked: 0,
        p50: c.p50,
        p95: c.p95,
        p99: c.p99,
        max: c.max,
        utilization: c.utilization,
        queue: c.queue,
        replicas: c.replicas,
      });
    for (const { stats: s, hist } of streams)
      rows.push({
        runId,
        scope: 'stream',
        key: s.name,
        t,
        span,
        count: s.count,
        ok: s.ok,
        c4xx: s.c4xx,
        c5xx: s.c5xx,
        timeouts: s.timeouts + s.errors,
        blocked: s.blocked,
        p50: s.p50,
        p95: s.p95,
        p99: s.p99,
        max: s.max,
        hist,
      });
    for (const source of this.#rowSources) for (const r of source(t, span)) rows.push({ ...r, runId, t, span });
    try {
      this.#o.repo.insertMany(rows);
    } catch (err) {
      this.#o.logger.error('writing metric rollups failed', { err });
    }
  }
}
