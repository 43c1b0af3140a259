/**
 * Per-cell metric windows fed from the 1 Hz metrics frames: recent per-second cell samples, each
 * replica's utilization samples and readiness, and completed per-minute arrival rates (the
 * forecaster's history). A controller reads a {@link CellObservation} from it at each sync.
 */
import type { CellStats, MetricsFrame, ReplicaStats } from '../api/schema.ts';
import type { CellObservation, PodSample } from './types.ts';

interface Second {
  t: number;
  utilization: number;
  arrivals: number;
  served: number;
  queue: number;
  p99: number;
  spanMs: number;
}

interface ReplicaTrack {
  state: ReplicaStats['state'];
  firstSeen: number;
  readySince?: number;
  lastSeen: number;
  /** Utilization samples while ready: times and values (parallel arrays, no per-second objects). */
  times: number[];
  utils: number[];
}

/** Options of {@link CellWindow}. */
export interface WindowOptions {
  /** Seconds of per-second samples kept (default 600). */
  keepSeconds?: number;
  /** Completed minutes of arrival rates kept (default 180). */
  keepMinutes?: number;
}

/** The recent metrics of one cell. */
export class CellWindow {
  readonly cell: string;
  readonly #keepMs: number;
  readonly #keepMinutes: number;
  #seconds: Second[] = [];
  #head = 0;
  #replicas = new Map<string, ReplicaTrack>();
  #lastFrame = -Infinity;
  #minute = -1;
  #minuteArrivals = 0;
  #minuteSpanMs = 0;
  /** Completed minutes' mean arrival rates (req/s), oldest first, and the index of the last one. */
  #minutes: number[] = [];
  #lastMinute = -1;

  constructor(cell: string, options: WindowOptions = {}) {
    this.cell = cell;
    this.#keepMs = (options.keepSeconds ?? 600) * 1000;
    this.#keepMinutes = options.keepMinutes ?? 180;
  }

  /** Adds one frame's statistics of this cell; `t` is the start of the frame's interval. */
  ingest(t: number, stats: CellStats, replicas: ReplicaStats[], spanMs = 1000): void {
    this.#lastFrame = t;
    this.#seconds.push({
      t,
      utilization: stats.utilization,
      arrivals: stats.count,
      served: stats.count - stats.rejected,
      queue: stats.queue,
      p99: stats.p99,
      spanMs,
    });
    this.#trim(t);
    for (const r of replicas) this.#track(t, r);
    for (const [id, track] of this.#replicas) if (track.lastSeen < t) this.#replicas.delete(id);
    this.#countMinute(t, stats.count, spanMs);
  }

  #trim(t: number): void {
    const cutoff = t - this.#keepMs;
    while (this.#head < this.#seconds.length && this.#seconds[this.#head]!.t < cutoff) this.#head++;
    if (this.#head > 1024) {
      this.#seconds = this.#seconds.slice(this.#head);
      this.#head = 0;
    }
  }

  #track(t: number, r: ReplicaStats): void {
    let track = this.#replicas.get(r.id);
    if (!track) {
      track = { state: r.state, firstSeen: t, lastSeen: t, times: [], utils: [] };
      this.#replicas.set(r.id, track);
    }
    track.state = r.state;
    track.lastSeen = t;
    if (r.state === 'ready') {
      track.readySince ??= t;
      track.times.push(t);
      track.utils.push(r.utilization);
      // Keep about two minutes: more than any metric window.
      if (track.times.length > 120 && track.times[0]! < t - 120_000) {
        track.times.splice(0, 60);
        track.utils.splice(0, 60);
      }
    }
  }

  #countMinute(t: number, arrivals: number, spanMs: number): void {
    const minute = Math.floor(t / 60_000);
    if (this.#minute < 0) this.#minute = minute;
    if (minute > this.#minute) {
      this.#closeMinute();
      // Minutes without any frame (engine paused) count as idle.
      for (let m = this.#minute + 1; m < minute; m++) this.#push(m, 0);
      this.#minute = minute;
    }
    this.#minuteArrivals += arrivals;
    this.#minuteSpanMs += spanMs;
  }

  #closeMinute(): void {
    this.#push(this.#minute, this.#minuteSpanMs > 0 ? (this.#minuteArrivals * 1000) / this.#minuteSpanMs : 0);
    this.#minuteArrivals = 0;
    this.#minuteSpanMs = 0;
  }

  #push(minute: number, rate: number): void {
    this.#minutes.push(rate);
    this.#lastMinute = minute;
    if (this.#minutes.length > this.#keepMinutes * 2) this.#minutes = this.#minutes.slice(-this.#keepMinutes);
  }

  /** Index (epoch minute) of the last completed minute, or -1. */
  get lastMinute(): number {
    return this.#lastMinute;
  }

  /** Number of completed minutes held. */
  get minutesHeld(): number {
    return Math.min(this.#minutes.length, this.#keepMinutes);
  }

  /** The last `n` completed minutes' mean arrival rates (req/s), oldest first; null if fewer exist. */
  minuteRates(n: number): Float64Array | null {
    if (this.#minutes.length < n || n > this.#keepMinutes) return null;
    return Float64Array.from(this.#minutes.slice(this.#minutes.length - n));
  }

  /** The replicas last reported live, with their utilization over the `windowMs` before `now`. */
  pods(now: number, windowMs: number): PodSample[] {
    const out: PodSample[] = [];
    for (const [id, r] of this.#replicas) {
      if (r.state !== 'ready' && r.state !== 'starting') continue;
      let sum = 0;
      let n = 0;
      for (let i = r.times.length - 1; i >= 0 && r.times[i]! >= now - windowMs; i--) {
        sum += r.utils[i]!;
        n++;
      }
      out.push({
        id,
        state: r.state,
        startedAt: r.firstSeen,
        readySince: r.readySince,
        utilization: r.state === 'ready' && n > 0 ? sum / n : undefined,
      });
    }
    return out;
  }

  /** A summary of the `windowMs` before `now` for a controller; `replicas` is the cell's desired count. */
  observe(now: number, replicas: number, windowMs: number): CellObservation {
    let n = 0;
    let util = 0;
    let arrivals = 0;
    let served = 0;
    let queue = 0;
    let span = 0;
    let p99 = 0;
    for (let i = this.#seconds.length - 1; i >= this.#head; i--) {
      const s = this.#seconds[i]!;
      if (s.t < now - windowMs) break;
      n++;
      util += s.utilization;
      arrivals += s.arrivals;
      served += s.served;
      queue += s.queue;
      span += s.spanMs;
      if (p99 === 0 && s.arrivals > 0) p99 = s.p99;
    }
    const pods = this.pods(now, windowMs);
    return {
      cell: this.cell,
      t: now,
      replicas,
      pods,
      utilization: n ? util / n : 0,
      rps: span ? (arrivals * 1000) / span : 0,
      servedRps: span ? (served * 1000) / span : 0,
      queue: n ? queue / n : 0,
      p99,
      ready: pods.filter((p) => p.state === 'ready').length,
      starting: pods.filter((p) => p.state === 'starting').length,
    };
  }

  /** Engine time of the last frame ingested. */
  get lastFrame(): number {
    return this.#lastFrame;
  }
}

/** A window per cell, fed whole frames. */
export class MetricWindows {
  readonly #cells = new Map<string, CellWindow>();
  readonly #options: WindowOptions;

  constructor(options: WindowOptions = {}) {
    this.#options = options;
  }

  /** Adds a frame (the collector's `onFrame` listener). */
  ingest(frame: MetricsFrame, spanMs = 1000): void {
    const byCell = new Map<string, ReplicaStats[]>();
    for (const r of frame.replicas) {
      const list = byCell.get(r.cell);
      if (list) list.push(r);
      else byCell.set(r.cell, [r]);
    }
    for (const c of frame.cells) this.get(c.cell).ingest(frame.t, c, byCell.get(c.cell) ?? [], spanMs);
  }

  /** The window of a cell (created empty on first use). */
  get(cell: string): CellWindow {
    let w = this.#cells.get(cell);
    if (!w) {
      w = new CellWindow(cell, this.#options);
      this.#cells.set(cell, w);
    }
    return w;
  }

  /** Forgets a removed cell. */
  delete(cell: string): void {
    this.#cells.delete(cell);
  }
}
