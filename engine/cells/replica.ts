/**
 * One replica of a mock cell: a NATS queue-group subscriber with a fixed number of concurrent
 * slots and a bounded queue (503 when both are full). It measures, per interval, the
 * time-weighted utilization (busy slots / concurrency) and queue length, throughput and an HDR
 * latency histogram.
 */
import type { Msg, Subscription } from '@nats-io/transport-node';
import type { ReplicaStats } from '../api/schema.ts';
import { cellQueue, cellWildcard } from '../bus/index.ts';
import { Histogram } from '../metrics/index.ts';
import { cellReply, decode, encode, type CellReply, type CellRequest } from './protocol.ts';

export type ReplicaState = ReplicaStats['state'];

/** What a replica needs from its cell. */
export interface ReplicaHost {
  readonly name: string;
  readonly concurrency: number;
  readonly queueLimit: number;
  now(): number;
  subscribe(subject: string, queue: string, cb: (err: Error | null, msg: Msg) => void): Subscription;
  /** Does the work of one request; resolves to the reply, or undefined for "never answer". */
  handle(replica: Replica, op: string, req: CellRequest, arrived: number): Promise<CellReply | undefined>;
}

interface Waiting {
  msg: Msg;
  arrived: number;
}

/** A replica of a cell. */
export class Replica {
  readonly id: string;
  readonly startedAt: number;
  readyAt: number | undefined;
  state: ReplicaState = 'starting';
  /** Simulated resident memory (MB); the leak fault grows it. */
  memoryMb: number;
  readonly #host: ReplicaHost;
  #sub: Subscription | undefined;
  #inflight = 0;
  #queue: Waiting[] = [];
  /** Bumped on crash: work finishing for an older generation is not answered. */
  #generation = 0;
  #drained: (() => void) | undefined;
  // per-interval measurements
  #hist = new Histogram();
  #count = 0;
  #errors = 0;
  #rejected = 0;
  #busyArea = 0;
  #queueArea = 0;
  #lastChange: number;
  #intervalStart: number;
  readonly #hangs = new Set<() => void>();

  constructor(id: string, host: ReplicaHost, memoryMb: number) {
    this.id = id;
    this.#host = host;
    this.startedAt = host.now();
    this.#lastChange = this.startedAt;
    this.#intervalStart = this.startedAt;
    this.memoryMb = memoryMb;
  }

  get inflight(): number {
    return this.#inflight;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Starts taking traffic (after the cell's startup delay). */
  becomeReady(): void {
    if (this.state !== 'starting') return;
    this.state = 'ready';
    this.readyAt = this.#host.now();
    const generation = this.#generation;
    try {
      this.#sub = this.#host.subscribe(cellWildcard(this.#host.name), cellQueue(this.#host.name), (err, msg) => {
        if (!err && generation === this.#generation) this.#onMessage(msg);
      });
    } catch (err) {
      // The startup delay ended after the engine closed its connection (a failed or stopping
      // start): there is nothing to serve, and a timer must not crash the process.
      this.state = 'stopped';
      if (!(err instanceof Error && /closed/i.test(err.message))) throw err;
    }
  }

  /** Graceful stop: no new work; resolves when in-flight and queued work has been answered. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'crashed') return;
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    this.state = 'stopped';
    if (this.#inflight + this.#queue.length > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
  }

  /** Sudden death: nothing in flight or queued is answered, callers time out. */
  crash(): void {
    if (this.state === 'stopped' || this.state === 'crashed') return;
    this.#generation++;
    this.#sub?.unsubscribe();
    this.#sub = undefined;
    this.state = 'crashed';
    this.#account();
    this.#queue = [];
    this.#inflight = 0;
    for (const release of this.#hangs) release();
    this.#hangs.clear();
  }

  /** A promise that settles only when the replica dies (the hang fault). */
  hang(): Promise<void> {
    return new Promise<void>((resolve) => this.#hangs.add(resolve));
  }

  /** Whether work started in `generation` may still be answered. */
  alive(generation: number): boolean {
    return generation === this.#generation && this.state !== 'crashed';
  }

  get generation(): number {
    return this.#generation;
  }

  /** Statistics since the last call, then resets the interval. */
  collect(now: number, withHistogram = false): ReplicaStats {
    this.#account(now);
    const span = Math.max(1, now - this.#intervalStart);
    const h = this.#hist;
    const stats: ReplicaStats = {
      id: this.id,
      cell: this.#host.name,
      state: this.state,
      count: this.#count,
      errors: this.#errors,
      rejected: this.#rejected,
      rps: (this.#count * 1000) / span,
      utilization: this.#busyArea / span / this.#host.concurrency,
      queue: this.#queueArea / span,
      inflight: this.#inflight,
      memoryMb: this.memoryMb,
      p50: h.quantile(0.5),
      p95: h.quantile(0.95),
      p99: h.quantile(0.99),
      max: h.max,
    };
    if (withHistogram) stats.histogram = h.toBuckets();
    this.#reset(now);
    return stats;
  }

  /** The interval histogram (merged into the cell's before {@link collect}). */
  get histogram(): Histogram {
    return this.#hist;
  }

  #reset(now: number): void {
    this.#hist.reset();
    this.#count = 0;
    this.#errors = 0;
    this.#rejected = 0;
    this.#busyArea = 0;
    this.#queueArea = 0;
    this.#intervalStart = now;
  }

  /** Accumulates time-weighted busy slots and queue length up to now. */
  #account(now = this.#host.now()): void {
    const dt = now - this.#lastChange;
    if (dt > 0) {
      this.#busyArea += this.#inflight * dt;
      this.#queueArea += this.#queue.length * dt;
    }
    this.#lastChange = now;
  }

  #onMessage(msg: Msg): void {
    const now = this.#host.now();
    if (this.#inflight < this.#host.concurrency) {
      this.#account(now);
      this.#run(msg, now);
    } else if (this.#queue.length < this.#host.queueLimit) {
      this.#account(now);
      this.#queue.push({ msg, arrived: now });
    } else {
      this.#rejected++;
      this.#errors++;
      this.#count++;
      this.#hist.record(0);
      const reply = cellReply(this.#host.name, this.id, 503, undefined, 'replica overloaded: queue full');
      reply.ms = 0;
      msg.respond(encode(reply));
    }
  }

  #run(msg: Msg, arrived: number): void {
    const generation = this.#generation;
    this.#inflight++;
    const op = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
    let req: CellRequest;
    try {
      req = decode<CellRequest>(msg.data);
    } catch {
      this.#finish(generation, msg, arrived, cellReply(this.#host.name, this.id, 400, undefined, 'bad request'));
      return;
    }
    this.#host.handle(this, op, req, arrived).then(
      (reply) => this.#finish(generation, msg, arrived, reply),
      (err: unknown) =>
        this.#finish(
          generation,
          msg,
          arrived,
          cellReply(this.#host.name, this.id, 500, undefined, err instanceof Error ? err.message : String(err)),
        ),
    );
  }

  #finish(generation: number, msg: Msg, arrived: number, reply: CellReply | undefined): void {
    if (generation !== this.#generation) return; // crashed meanwhile: the caller times out
    const now = this.#host.now();
    this.#account(now);
    this.#inflight--;
    if (reply) {
      reply.ms = now - arrived;
      msg.respond(encode(reply));
      this.#count++;
      if (reply.status >= 500) this.#errors++;
      this.#hist.record(now - arrived);
    }
    this.#next(now);
  }

  #next(now: number): void {
    while (this.#inflight < this.#host.concurrency && this.#queue.length > 0) {
      const w = this.#queue.shift()!;
      this.#run(w.msg, w.arrived);
    }
    if (this.state === 'stopped' && this.#inflight === 0 && this.#queue.length === 0) {
      this.#account(now);
      this.#drained?.();
      this.#drained = undefined;
    }
  }
}
