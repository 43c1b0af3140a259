/**
 * The fast-forward simulator: one cell's replica pool (engine/scaling/pool.ts) on a virtual clock,
 * fed Poisson arrivals at a per-minute rate (a trace), producing the same 1 Hz metrics frames the
 * live collector produces and driving the same {@link ScalingController} — so a day of trace
 * plays in about a second and its decisions are the decisions the live engine would make.
 */
import type { MetricsFrame } from '../api/schema.ts';
import { Rng, type Clock, type TimerHandle } from '../clock.ts';
import { fitLognormal } from '../cells/index.ts';
import type { CellSpec } from '../organism/index.ts';
import { ScalingController } from './controller.ts';
import type { Forecaster } from './forecaster.ts';
import type { ControllerSettings } from './policies.ts';
import { Pool } from './pool.ts';
import type { ScalingDecision } from './types.ts';

/** A clock that the simulator moves; it schedules nothing (the simulator calls sync itself). */
class VirtualClock implements Clock {
  readonly speed = Infinity;
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
  setTimeout(): TimerHandle {
    throw new Error('the simulator clock does not schedule timers');
  }
  setInterval(): TimerHandle {
    throw new Error('the simulator clock does not schedule timers');
  }
  sleep(): Promise<void> {
    return Promise.reject(new Error('the simulator clock does not sleep'));
  }
}

/** Options of {@link simulate}. */
export interface SimulationOptions {
  /** The cell: pool shape (concurrency, queue, startup, first operation's latency) and scaling policy. */
  cell: CellSpec;
  /** Arrival rate (req/s) of each minute. */
  rates: ArrayLike<number>;
  /** Engine time of minute 0 (epoch ms; a trace's start, so time-of-day features are right). */
  startMs: number;
  seed: number;
  /** p99 (ms) a minute must stay under to meet its SLO. */
  sloMs: number;
  forecaster?: Forecaster;
  settings?: ControllerSettings;
  /** Called with every decision (the `scaling.decided` stream). */
  onDecision?: (d: ScalingDecision) => void;
  /** Called with every 1 Hz frame (what the live collector would publish). */
  onFrame?: (frame: MetricsFrame) => void;
  /**
   * Start with the initial replicas ready (default true): the run begins in a pool that has been
   * serving, not in a cold start where every first-minute request is refused.
   */
  warm?: boolean;
}

/** One simulated minute. */
export interface MinuteRecord {
  minute: number;
  /** Scheduled arrival rate (req/s). */
  rate: number;
  arrivals: number;
  served: number;
  rejected: number;
  /** p99 latency of served requests (ms). */
  p99: number;
  /** Replicas paid for (starting, ready or draining), integrated over the minute. */
  replicaMinutes: number;
  /** Replica count asked for at the end of the minute. */
  desired: number;
  /** Scale actions taken during the minute. */
  scaleEvents: number;
  /** p99 over the SLO, or more than 1 % of requests refused (their latency is unbounded). */
  violated: boolean;
}

/** What a run produced. */
export interface SimulationResult {
  minutes: MinuteRecord[];
  decisions: number;
  requests: number;
  wallMs: number;
  simulatedMs: number;
}

function poolSpec(cell: CellSpec): ConstructorParameters<typeof Pool>[0] {
  const op = cell.operations[0];
  const fit = fitLognormal(op?.p50Ms ?? 10, op?.p99Ms ?? 50);
  return {
    name: cell.name,
    concurrency: cell.concurrency,
    queue: cell.queue,
    startupMs: cell.startupMs,
    mu: fit.mu,
    sigma: fit.sigma,
  };
}

/** Runs a cell through the rates, one virtual second at a time. */
export async function simulate(o: SimulationOptions): Promise<SimulationResult> {
  const wallStart = performance.now();
  const rng = new Rng(o.seed);
  const arrivalsRng = rng.fork('arrivals');
  const clock = new VirtualClock(o.startMs);
  const pool = new Pool(poolSpec(o.cell), rng.fork('pool'));
  pool.scaleTo(o.cell.replicas, (o.warm ?? true) ? o.startMs - o.cell.startupMs : o.startMs);
  let scaleEvents = 0;
  let decisions = 0;
  const controller = new ScalingController({
    clock,
    cells: () => [{ spec: o.cell, replicas: pool.desired }],
    scale: (_cell, n) => {
      pool.scaleTo(n, clock.t);
      scaleEvents++;
    },
    emit: (type, data) => {
      if (type === 'scaling.decided') {
        decisions++;
        o.onDecision?.(data as unknown as ScalingDecision);
      }
    },
    forecaster: o.forecaster,
    settings: o.settings,
    onError: (err) => {
      throw err;
    },
  });
  const syncEvery = Math.max(1, Math.round(controller.syncPeriodMs / 1000));
  const minutes: MinuteRecord[] = [];
  let requests = 0;
  for (let m = 0; m < o.rates.length; m++) {
    const rate = o.rates[m]!;
    const minuteStart = o.startMs + m * 60_000;
    const meanGapMs = rate > 0 ? 1000 / rate : Infinity;
    // Poisson arrivals: memoryless, so each minute restarts at its own rate.
    let next = minuteStart + arrivalsRng.exponential(meanGapMs);
    let replicaSeconds = 0;
    const eventsBefore = scaleEvents;
    for (let s = 1; s <= 60; s++) {
      const secondEnd = minuteStart + s * 1000;
      while (next < secondEnd) {
        pool.advance(next);
        pool.arrive(next);
        requests++;
        next += arrivalsRng.exponential(meanGapMs);
      }
      pool.advance(secondEnd);
      replicaSeconds += pool.live;
      clock.t = secondEnd;
      const { cell, replicas } = pool.collect(secondEnd, 1000);
      const frame: MetricsFrame = { t: secondEnd - 1000, routes: [], cells: [cell], replicas, edges: [], streams: [] };
      controller.onFrame(frame);
      o.onFrame?.(frame);
      if ((m * 60 + s) % syncEvery === 0) await controller.sync(secondEnd);
    }
    const tally = pool.takeMinute();
    const p99 = tally.hist.quantile(0.99);
    minutes.push({
      minute: m,
      rate,
      arrivals: tally.arrivals,
      served: tally.served,
      rejected: tally.rejected,
      p99,
      replicaMinutes: replicaSeconds / 60,
      desired: pool.desired,
      scaleEvents: scaleEvents - eventsBefore,
      violated: tally.arrivals > 0 && (p99 > o.sloMs || tally.rejected > 0.01 * tally.arrivals),
    });
  }
  return { minutes, decisions, requests, wallMs: performance.now() - wallStart, simulatedMs: o.rates.length * 60_000 };
}
