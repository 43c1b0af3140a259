/**
 * The simulated replica pool of one cell, mirroring engine/cells: each replica has `concurrency`
 * slots and a FIFO queue of `queue` waiting requests (503 beyond it); a request goes to a ready
 * replica picked at random (a NATS queue group delivers to a random member); new replicas take
 * traffic after the startup delay; scaling in stops not-yet-ready replicas first, then the newest
 * ready ones, which finish what they hold. Utilization is time-weighted busy slots / concurrency.
 */
import type { CellStats, ReplicaStats } from '../api/schema.ts';
import type { Rng } from '../clock.ts';
import { Histogram } from '../metrics/index.ts';

const STARTING = 0;
const READY = 1;
const STOPPING = 2;

/** One simulated replica. */
export interface SimReplica {
  id: string;
  state: number;
  startedAt: number;
  readyAt: number;
  inflight: number;
  /** Arrival times of waiting requests (FIFO). */
  waiting: number[];
  busyArea: number;
  queueArea: number;
  lastChange: number;
  count: number;
  rejected: number;
}

/** Per-minute totals the simulator scores minutes with. */
export interface PoolTally {
  arrivals: number;
  served: number;
  rejected: number;
  hist: Histogram;
}

/** A binary min-heap of completion events (time, replica, arrival time) in parallel arrays. */
class CompletionHeap {
  #time: number[] = [];
  #rep: SimReplica[] = [];
  #arrived: number[] = [];

  get nextTime(): number {
    return this.#time.length ? this.#time[0]! : Infinity;
  }

  push(time: number, rep: SimReplica, arrived: number): void {
    const t = this.#time;
    const rs = this.#rep;
    const as = this.#arrived;
    let i = t.length;
    t.push(time);
    rs.push(rep);
    as.push(arrived);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p]! <= time) break;
      t[i] = t[p]!;
      rs[i] = rs[p]!;
      as[i] = as[p]!;
      i = p;
    }
    t[i] = time;
    rs[i] = rep;
    as[i] = arrived;
  }

  /** Removes the earliest event into `out` (its time is {@link nextTime}). */
  pop(out: { rep: SimReplica | undefined; arrived: number }): void {
    const t = this.#time;
    const rs = this.#rep;
    const as = this.#arrived;
    out.rep = rs[0];
    out.arrived = as[0]!;
    const lastT = t.pop()!;
    const lastR = rs.pop()!;
    const lastA = as.pop()!;
    const n = t.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && t[r]! < t[l]! ? r : l;
      if (t[m]! >= lastT) break;
      t[i] = t[m]!;
      rs[i] = rs[m]!;
      as[i] = as[m]!;
      i = m;
    }
    t[i] = lastT;
    rs[i] = lastR;
    as[i] = lastA;
  }
}

/** Latencies of one second: few enough that sorting them beats a histogram scan and reset. */
class SecondLatencies {
  #values = new Float64Array(1024);
  #n = 0;
  #max = 0;

  record(ms: number): void {
    if (this.#n === this.#values.length) {
      const grown = new Float64Array(this.#n * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#n++] = ms;
    if (ms > this.#max) this.#max = ms;
  }

  /** p50, p95, p99 and max (ms), then clears. */
  take(): { p50: number; p95: number; p99: number; max: number } {
    const n = this.#n;
    const sorted = this.#values.subarray(0, n).sort();
    const q = (p: number): number => (n === 0 ? 0 : sorted[Math.min(n - 1, Math.ceil(p * n) - 1)]!);
    const out = { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: this.#max };
    this.#n = 0;
    this.#max = 0;
    return out;
  }
}

/** Shape of the simulated cell. */
export interface PoolSpec {
  name: string;
  concurrency: number;
  queue: number;
  startupMs: number;
  /** Lognormal service time (ms): exp(mu + sigma·z). */
  mu: number;
  sigma: number;
}

/** The replica pool of one simulated cell. */
export class Pool {
  readonly spec: PoolSpec;
  readonly #rng: Rng;
  readonly #heap = new CompletionHeap();
  #replicas: SimReplica[] = [];
  #routable: SimReplica[] = [];
  #serial = 0;
  #nextReady = Infinity;
  /** Totals since the last {@link collect}. */
  readonly #second = { arrivals: 0, rejected: 0, latencies: new SecondLatencies() };
  readonly #popped: { rep: SimReplica | undefined; arrived: number } = { rep: undefined, arrived: 0 };
  /** Totals since the last {@link takeMinute}. */
  minute: PoolTally = { arrivals: 0, served: 0, rejected: 0, hist: new Histogram() };

  constructor(spec: PoolSpec, rng: Rng) {
    this.spec = spec;
    this.#rng = rng;
  }

  /** Replicas that exist and are paid for: starting, ready, or draining. */
  get live(): number {
    return this.#replicas.length;
  }

  /** The replica count the cell is asked to run (starting + ready). */
  get desired(): number {
    let n = 0;
    for (const r of this.#replicas) if (r.state !== STOPPING) n++;
    return n;
  }

  /** Time of the next internal event (a completion or a replica becoming ready). */
  get nextEvent(): number {
    return Math.min(this.#heap.nextTime, this.#nextReady);
  }

  /** Processes internal events up to (and excluding) `until`. */
  advance(until: number): void {
    for (;;) {
      const tc = this.#heap.nextTime;
      const tr = this.#nextReady;
      if (tc >= until && tr >= until) return;
      if (tr <= tc) this.#readyDue(tr);
      else this.#complete(tc);
    }
  }

  /** One request arriving at `t` (call {@link advance} to `t` first). */
  arrive(t: number): void {
    this.#second.arrivals++;
    this.minute.arrivals++;
    const n = this.#routable.length;
    if (n === 0) {
      // No replica subscribed: NATS answers "no responders" and the gateway returns 503.
      this.#reject(undefined);
      return;
    }
    const r = this.#routable[n === 1 ? 0 : Math.floor(this.#rng.next() * n)]!;
    r.count++;
    if (r.inflight < this.spec.concurrency) {
      account(r, t);
      this.#start(r, t, t);
    } else if (r.waiting.length < this.spec.queue) {
      account(r, t);
      r.waiting.push(t);
    } else this.#reject(r);
  }

  #reject(r: SimReplica | undefined): void {
    if (r) r.rejected++;
    this.#second.rejected++;
    this.minute.rejected++;
  }

  #start(r: SimReplica, t: number, arrived: number): void {
    r.inflight++;
    const service = Math.exp(this.spec.mu + this.spec.sigma * this.#rng.normal());
    this.#heap.push(t + service, r, arrived);
  }

  #complete(t: number): void {
    this.#heap.pop(this.#popped);
    const r = this.#popped.rep!;
    account(r, t);
    r.inflight--;
    const latency = t - this.#popped.arrived;
    this.#second.latencies.record(latency);
    this.minute.served++;
    this.minute.hist.record(latency);
    while (r.inflight < this.spec.concurrency && r.waiting.length > 0) this.#start(r, t, r.waiting.shift()!);
    if (r.state === STOPPING && r.inflight === 0 && r.waiting.length === 0) r.readyAt = -1; // drained: dropped at collect
  }

  #readyDue(t: number): void {
    for (const r of this.#replicas) {
      if (r.state === STARTING && r.readyAt <= t) {
        r.state = READY;
        r.lastChange = t;
      }
    }
    this.#refresh();
  }

  #refresh(): void {
    this.#routable = this.#replicas.filter((r) => r.state === READY);
    this.#nextReady = Math.min(Infinity, ...this.#replicas.filter((r) => r.state === STARTING).map((r) => r.readyAt));
  }

  /** Sets the replica count at `t`: starts new replicas, or stops starting ones first, then the newest ready. */
  scaleTo(n: number, t: number): void {
    const active = this.#replicas.filter((r) => r.state !== STOPPING);
    for (let i = active.length; i < n; i++) {
      const r: SimReplica = {
        id: `${this.spec.name}-${++this.#serial}`,
        state: this.spec.startupMs <= 0 ? READY : STARTING,
        startedAt: t,
        readyAt: t + this.spec.startupMs,
        inflight: 0,
        waiting: [],
        busyArea: 0,
        queueArea: 0,
        lastChange: t,
        count: 0,
        rejected: 0,
      };
      this.#replicas.push(r);
    }
    const surplus = active
      .sort((a, b) => a.state - b.state || b.startedAt - a.startedAt)
      .slice(0, Math.max(0, active.length - n));
    for (const r of surplus) {
      account(r, t);
      r.state = STOPPING;
      if (r.inflight === 0 && r.waiting.length === 0) r.readyAt = -1;
    }
    this.#refresh();
  }

  /** Per-interval cell and replica statistics, shaped like the live engine's frame, then resets the interval. */
  collect(t: number, spanMs: number): { cell: CellStats; replicas: ReplicaStats[] } {
    const replicas: ReplicaStats[] = [];
    let utilSum = 0;
    let ready = 0;
    let queue = 0;
    for (const r of this.#replicas) {
      account(r, t);
      const utilization = r.busyArea / spanMs / this.spec.concurrency;
      const q = r.queueArea / spanMs;
      if (r.state === READY) {
        utilSum += utilization;
        ready++;
        queue += q;
      }
      replicas.push(replicaStats(r, this.spec.name, utilization, q, spanMs));
      r.busyArea = 0;
      r.queueArea = 0;
      r.count = 0;
      r.rejected = 0;
    }
    if (this.#replicas.some((r) => r.state === STOPPING && r.readyAt === -1))
      this.#replicas = this.#replicas.filter((r) => !(r.state === STOPPING && r.readyAt === -1));
    const s = this.#second;
    const lat = s.latencies.take();
    const cell: CellStats = {
      cell: this.spec.name,
      replicas: this.desired,
      ready,
      count: s.arrivals,
      errors: s.rejected,
      rejected: s.rejected,
      rps: (s.arrivals * 1000) / spanMs,
      errorRate: s.arrivals ? s.rejected / s.arrivals : 0,
      utilization: ready ? utilSum / ready : 0,
      queue,
      ...lat,
    };
    s.arrivals = 0;
    s.rejected = 0;
    return { cell, replicas };
  }

  /** The minute's totals; starts a new minute. */
  takeMinute(): PoolTally {
    const m = this.minute;
    this.minute = { arrivals: 0, served: 0, rejected: 0, hist: new Histogram() };
    return m;
  }
}

function account(r: SimReplica, t: number): void {
  const dt = t - r.lastChange;
  if (dt > 0) {
    r.busyArea += r.inflight * dt;
    r.queueArea += r.waiting.length * dt;
  }
  r.lastChange = t;
}

const STATE_NAMES = ['starting', 'ready', 'stopped'] as const;

function replicaStats(r: SimReplica, cell: string, utilization: number, queue: number, spanMs: number): ReplicaStats {
  return {
    id: r.id,
    cell,
    state: STATE_NAMES[r.state]!,
    count: r.count,
    errors: r.rejected,
    rejected: r.rejected,
    rps: (r.count * 1000) / spanMs,
    utilization,
    queue,
    inflight: r.inflight,
    memoryMb: 0,
    // Per-replica latency quantiles are not simulated (no controller reads them).
    p50: 0,
    p95: 0,
    p99: 0,
    max: 0,
  };
}
