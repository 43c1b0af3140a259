/**
 * Arrival processes of a traffic stream, as pure functions of a seed: constant, Poisson, ramp,
 * spike and trace replay. The same spec and seed always give the same arrival schedule, which is
 * what makes a scenario reproducible. Times are milliseconds from the stream's start.
 */
import { Rng } from '../clock.ts';

/** How the rate changes over the stream's life, on top of its base rate. */
export type RateShape =
  | { kind: 'steady' }
  | { kind: 'ramp'; to: number; overMs: number }
  | { kind: 'spike'; atMs: number; rate: number; forMs: number }
  | { kind: 'trace'; counts: number[]; minuteMs: number; scale: number };

/** Inter-arrival law: exponential gaps (Poisson) or equal gaps (constant). */
export type ArrivalLaw = 'poisson' | 'constant';

/** A segment of rate: `rate` requests/s from `fromMs` on (until the next segment). */
export interface RateChange {
  fromMs: number;
  rate: number;
}

/**
 * The stream's rate at time t (ms from start): the shape, with base-rate changes applied. A rate
 * change (a scenario `traffic:` step) replaces the base rate from its time on; for a trace the
 * base rate multiplies the trace's scaled counts relative to the initial rate.
 */
export function rateAt(t: number, base: RateChange[], shape: RateShape): number {
  let current = base[0]?.rate ?? 0;
  for (const c of base) if (c.fromMs <= t) current = c.rate;
  const initial = base[0]?.rate ?? 0;
  switch (shape.kind) {
    case 'steady':
      return current;
    case 'ramp':
      return t >= shape.overMs
        ? current === initial
          ? shape.to
          : current
        : current === initial
          ? initial + ((shape.to - initial) * t) / shape.overMs
          : current;
    case 'spike':
      return t >= shape.atMs && t < shape.atMs + shape.forMs ? shape.rate : current;
    case 'trace': {
      const minute = Math.floor(t / shape.minuteMs);
      const count = shape.counts[Math.min(minute, shape.counts.length - 1)] ?? 0;
      const factor = initial > 0 ? current / initial : 0;
      return ((count * shape.scale) / (shape.minuteMs / 1000)) * factor;
    }
  }
}

/** Generates arrival times one by one. */
export class ArrivalSchedule {
  readonly #rng: Rng;
  readonly #law: ArrivalLaw;
  readonly #shape: RateShape;
  readonly #base: RateChange[];
  readonly #endMs: number;
  #t = 0;
  #first = true;

  constructor(options: { seed: number; law: ArrivalLaw; shape: RateShape; rate: number; durationMs?: number }) {
    this.#rng = new Rng(options.seed).fork('arrivals');
    this.#law = options.law;
    this.#shape = options.shape;
    this.#base = [{ fromMs: 0, rate: options.rate }];
    this.#endMs = options.durationMs ?? Infinity;
  }

  /** Changes the base rate from `fromMs` on (a later change wins). */
  setRate(fromMs: number, rate: number): void {
    this.#base.push({ fromMs, rate });
    this.#base.sort((a, b) => a.fromMs - b.fromMs);
  }

  /** The current time of the schedule (ms from start). */
  get time(): number {
    return this.#t;
  }

  /**
   * The next arrival time, or undefined when the stream has ended. When the rate is zero the
   * schedule skips ahead in 100 ms steps (it may resume after a rate change or a trace minute).
   */
  next(): number | undefined {
    for (;;) {
      if (this.#t >= this.#endMs) return undefined;
      const rate = rateAt(this.#t, this.#base, this.#shape);
      if (!(rate > 0)) {
        this.#t += 100;
        continue;
      }
      const mean = 1000 / rate;
      // The first constant arrival is at t=0; Poisson starts with a random gap.
      const gap = this.#law === 'constant' ? (this.#first ? 0 : mean) : this.#rng.exponential(mean);
      this.#first = false;
      // Thinning-free approximation: use the rate at the gap's start. For a step up in rate, do
      // not let one long gap skip over it: cap gaps at 100 ms and re-evaluate.
      if (gap > 100 && this.#law === 'poisson' && rateAt(this.#t + 100, this.#base, this.#shape) !== rate) {
        this.#t += 100;
        continue;
      }
      this.#t += gap;
      if (this.#t >= this.#endMs) return undefined;
      return this.#t;
    }
  }

  /** All arrivals before `untilMs` (for tests and determinism checks). */
  until(untilMs: number): number[] {
    const out: number[] = [];
    for (;;) {
      if (this.#t >= untilMs) break;
      const t = this.next();
      if (t === undefined || t >= untilMs) break;
      out.push(t);
    }
    return out;
  }
}

/** Parses a per-minute count file (`minute_index,requests` CSV, header optional). */
export function parseTraceCsv(text: string): number[] {
  const counts: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(line);
    if (m) counts[Number(m[1])] = Number(m[2]);
  }
  for (let i = 0; i < counts.length; i++) counts[i] ??= 0;
  return counts;
}
