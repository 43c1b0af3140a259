/**
 * A mock cell: its operations (latency model, errors, downstream calls), its replicas, the
 * resilience of its outbound calls (timeouts, retries with backoff and a budget, a breaker per
 * downstream) and the live signals it honours (`<cell>.latencyFactor`, `<cell>.errorRate`).
 * Each cell has its own NATS connection, as a separate service would.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { CellStats, EdgeStats, ReplicaStats } from '../api/schema.ts';
import { cellSubject, classifyRequestError, Requester, type EventSink } from '../bus/index.ts';
import type { Clock, Rng } from '../clock.ts';
import { drop } from '../errors.ts';
import type { Logger } from '../log.ts';
import { Histogram } from '../metrics/index.ts';
import type { CallSpec, CellSpec, OperationSpec } from '../organism/index.ts';
import { SignalSubscriber } from '../signals/index.ts';
import { CircuitBreaker } from './breaker.ts';
import type { CellInterceptor, RequestEffect } from './interceptor.ts';
import { fitLognormal, sampleLognormal, type Lognormal } from './latency.ts';
import { cellReply, decode, encode, forwardRequest, type CellReply, type CellRequest } from './protocol.ts';
import { Replica, type ReplicaHost } from './replica.ts';
import { backoffDelay, RetryBudget } from './retry.ts';

/** Services a cell gets from the engine. */
export interface CellEnv {
  clock: Clock;
  rng: Rng;
  events: EventSink;
  logger: Logger;
  interceptors: ReadonlySet<CellInterceptor>;
  /** Told when this cell applied a signal change (propagation measurement). */
  onSignalApplied?: (info: { key: string; revision: number; subscriber: string; appliedAt: number; changedAt: number }) => void;
  /** Told which signal keys this cell watches (propagation waits for it); returns the unregister. */
  onSignalWatch?: (subscriber: string, keys: string[]) => () => void;
}

interface Downstream {
  breaker: CircuitBreaker | undefined;
  budget: RetryBudget | undefined;
  hist: Histogram;
  count: number;
  errors: number;
}

/** Outcome of one downstream call (after retries). */
export interface CallResult {
  status: number;
  error?: string;
}

/** A running cell. */
export class Cell implements ReplicaHost {
  spec: CellSpec;
  readonly name: string;
  readonly #nc: NatsConnection;
  readonly #rpc: Requester;
  readonly #env: CellEnv;
  readonly #rng: Rng;
  #replicas: Replica[] = [];
  /** Replicas gone since the last collect: their last interval is still reported. */
  #dead: Replica[] = [];
  #ops = new Map<string, { spec: OperationSpec; fit: Lognormal }>();
  #downstream = new Map<string, Downstream>();
  #serial = 0;
  #crashed = 0;
  #startTimers = new Map<Replica, { cancel(): void }>();
  #watchStop: (() => void) | undefined;
  latencyFactor = 1;
  errorRateOverride: number | null = null;
  /** Desired replica count (what scale() last asked for). */
  desired: number;
  lastActivity: number;

  private constructor(spec: CellSpec, nc: NatsConnection, env: CellEnv) {
    this.spec = spec;
    this.name = spec.name;
    this.#nc = nc;
    this.#rpc = new Requester(nc);
    this.#env = env;
    this.#rng = env.rng.fork(`cell:${spec.name}`);
    this.desired = spec.replicas;
    this.lastActivity = env.clock.now();
    this.#setOps(spec);
  }

  /** Connects the cell, starts watching its signals and starts its initial replicas. */
  static async create(spec: CellSpec, nc: NatsConnection, env: CellEnv): Promise<Cell> {
    const cell = new Cell(spec, nc, env);
    await cell.#watchSignals();
    env.events.emit(
      'cell.spawned',
      { replicas: spec.replicas, operations: spec.operations.map((o) => o.name) },
      { cell: spec.name },
    );
    cell.scale(spec.replicas, 'spawn');
    return cell;
  }

  get concurrency(): number {
    return this.spec.concurrency;
  }

  get queueLimit(): number {
    return this.spec.queue;
  }

  get replicas(): readonly Replica[] {
    return this.#replicas;
  }

  now(): number {
    return this.#env.clock.now();
  }

  subscribe(subject: string, queue: string, cb: Parameters<ReplicaHost['subscribe']>[2]) {
    return this.#nc.subscribe(subject, { queue, callback: cb });
  }

  /** Sets the number of replicas: starts new ones (after the startup delay) or stops the newest. */
  scale(replicas: number, reason = 'api'): void {
    this.desired = replicas;
    const live = this.#replicas.filter((r) => r.state === 'starting' || r.state === 'ready');
    for (let i = live.length; i < replicas; i++) this.#startReplica(reason);
    // Stop not-yet-ready replicas first, then the newest ready ones.
    const surplus = [...live]
      .sort((a, b) => rank(a) - rank(b) || b.startedAt - a.startedAt)
      .slice(0, Math.max(0, live.length - replicas));
    for (const r of surplus) drop(this.#stopReplica(r, reason));
  }

  /**
   * Kills one replica (the crash and leak faults). Nothing replaces it until {@link restore} — the
   * fault decides when (its `for`), or never.
   */
  crashReplica(id: string | undefined, reason: 'crash' | 'oom'): Replica | undefined {
    const target = this.#replicas.find((r) => (id ? r.id === id : r.state === 'ready'));
    if (!target) return undefined;
    this.#startTimers.get(target)?.cancel();
    target.crash();
    this.#env.events.emit(
      'replica.crashed',
      { replica: target.id, reason, memoryMb: Math.round(target.memoryMb) },
      { cell: this.name },
    );
    this.#forget(target);
    this.#crashed++;
    return target;
  }

  /** Replicas killed by faults and not yet replaced. */
  get crashedCount(): number {
    return this.#crashed;
  }

  /** Replaces crashed replicas so the cell is back at its desired count. */
  restore(reason = 'restart'): void {
    this.#crashed = 0;
    this.scale(this.desired, reason);
  }

  /** Live replicas (starting or ready). */
  get live(): Replica[] {
    return this.#replicas.filter((r) => r.state === 'starting' || r.state === 'ready');
  }

  /** Stops every replica and closes the connection. */
  async remove(): Promise<void> {
    this.desired = 0;
    this.#watchStop?.();
    await Promise.all(this.#replicas.map((r) => this.#stopReplica(r, 'remove')));
    this.#rpc.close();
    this.#env.events.emit('cell.removed', {}, { cell: this.name });
  }

  /** Replaces the spec of operations (e.g. on organism reload); replicas keep running. */
  #setOps(spec: CellSpec): void {
    this.#ops = new Map(spec.operations.map((o) => [o.name, { spec: o, fit: fitLognormal(o.p50Ms, o.p99Ms) }]));
  }

  #startReplica(reason: string): void {
    const r = new Replica(`${this.name}-${++this.#serial}`, this, this.spec.memory.baseMb);
    this.#replicas.push(r);
    this.#env.events.emit('replica.started', { replica: r.id, reason, startupMs: this.spec.startupMs }, { cell: this.name });
    const ready = (): void => {
      this.#startTimers.delete(r);
      r.becomeReady();
      this.#env.events.emit(
        'replica.ready',
        { replica: r.id, afterMs: Math.round(this.now() - r.startedAt) },
        { cell: this.name },
      );
    };
    if (this.spec.startupMs <= 0) ready();
    else this.#startTimers.set(r, this.#env.clock.setTimeout(ready, this.spec.startupMs));
  }

  async #stopReplica(r: Replica, reason: string): Promise<void> {
    this.#startTimers.get(r)?.cancel();
    this.#startTimers.delete(r);
    if (r.state === 'stopped' || r.state === 'crashed') return;
    const stopping = r.stop();
    this.#env.events.emit('replica.stopped', { replica: r.id, reason }, { cell: this.name });
    await stopping;
    this.#forget(r);
  }

  #forget(r: Replica): void {
    this.#dead.push(r);
    this.#replicas = this.#replicas.filter((x) => x !== r);
  }

  /** Does the work of one request (called by a replica holding a slot). */
  async handle(replica: Replica, opName: string, req: CellRequest, _arrived: number): Promise<CellReply | undefined> {
    const name = this.name;
    const id = replica.id;
    this.lastActivity = this.now();
    const op = this.#ops.get(opName);
    if (!op) return cellReply(name, id, 404, undefined, `no operation '${opName}' on cell '${name}'`);
    const effect = this.#effects(replica, opName, req);
    if (effect.hang) {
      await Promise.race([replica.hang(), effect.hang]);
      return undefined;
    }
    const generation = replica.generation;
    const latency = sampleLognormal(op.fit, this.#rng) * this.latencyFactor + (effect.addMs ?? 0);
    await this.#env.clock.sleep(latency);
    if (!replica.alive(generation)) return undefined;
    if (effect.failStatus) return cellReply(name, id, effect.failStatus, undefined, 'fault injected');
    for (const call of op.spec.calls) {
      const res = await this.call(call, req);
      if (!replica.alive(generation)) return undefined;
      if (res.status >= 500)
        return cellReply(
          name,
          id,
          res.status === 504 ? 504 : 502,
          undefined,
          `${call.cell}.${call.op}: ${res.error ?? res.status}`,
        );
    }
    if (op.spec.credentials && !validCredentials(req.body)) return cellReply(name, id, 401, undefined, 'invalid credentials');
    const errorRate = this.errorRateOverride ?? op.spec.errorRate;
    if (errorRate > 0 && this.#rng.next() < errorRate)
      return cellReply(name, id, op.spec.errorStatus, undefined, 'simulated error');
    return cellReply(name, id, op.spec.response.status, op.spec.response.body ?? { cell: name, op: opName, replica: id });
  }

  #effects(replica: Replica, op: string, req: CellRequest): RequestEffect {
    const out: RequestEffect = {};
    for (const i of this.#env.interceptors) {
      const e = i.onRequest?.({ cell: this.name, op, replica, client: req.client, route: req.route });
      if (!e) continue;
      out.addMs = (out.addMs ?? 0) + (e.addMs ?? 0);
      out.failStatus ??= e.failStatus;
      out.hang ??= e.hang;
    }
    return out;
  }

  /** Calls a downstream operation with timeout, retries (backoff, budget) and the breaker. */
  async call(call: CallSpec, req: CellRequest): Promise<CallResult> {
    const ds = this.#downstreamOf(call.cell);
    const clock = this.#env.clock;
    ds.budget?.request(clock.now());
    for (let attempt = 0; ; attempt++) {
      if (ds.breaker && !ds.breaker.allow(clock.now())) {
        ds.count++;
        ds.errors++;
        return { status: 503, error: 'circuit open' };
      }
      const started = clock.now();
      const res = await this.#attempt(call, req);
      const ok = res.status < 500;
      ds.breaker?.record(ok, clock.now());
      ds.count++;
      if (!ok) ds.errors++;
      ds.hist.record(clock.now() - started);
      if (ok || attempt >= call.retries) return res;
      if (ds.budget && !ds.budget.tryRetry(clock.now()))
        return { status: res.status, error: `${res.error ?? res.status} (retry budget exhausted)` };
      await clock.sleep(backoffDelay(attempt + 1, this.spec.resilience.retryBackoff, this.#rng));
    }
  }

  async #attempt(call: CallSpec, req: CellRequest): Promise<CallResult> {
    const clock = this.#env.clock;
    for (const i of this.#env.interceptors) {
      if (i.onCall?.(this.name, call.cell, call.op) === 'drop') {
        await clock.sleep(call.timeoutMs);
        return { status: 504, error: 'timeout (partitioned)' };
      }
    }
    const payload = forwardRequest(req, this.name, clock.now() + call.timeoutMs);
    try {
      const data = await this.#rpc.request(cellSubject(call.cell, call.op), encode(payload), call.timeoutMs / clock.speed);
      const reply = decode<CellReply>(data);
      return { status: reply.status, error: reply.error };
    } catch (err) {
      const kind = classifyRequestError(err);
      if (kind === 'timeout') return { status: 504, error: 'timeout' };
      if (kind === 'no-responders') return { status: 503, error: 'no replicas' };
      return { status: 502, error: kind };
    }
  }

  #downstreamOf(cell: string): Downstream {
    let ds = this.#downstream.get(cell);
    if (!ds) {
      const { breaker: bspec, retryBudget } = this.spec.resilience;
      const breaker = bspec ? new CircuitBreaker(bspec) : undefined;
      if (breaker)
        breaker.onChange = (state, info) =>
          this.#env.events.emit(BREAKER_EVENT[state], { to: cell, ...info }, { cell: this.name });
      ds = {
        breaker,
        budget: retryBudget ? new RetryBudget(retryBudget) : undefined,
        hist: new Histogram(),
        count: 0,
        errors: 0,
      };
      this.#downstream.set(cell, ds);
    }
    return ds;
  }

  /** Per-interval statistics of the cell, its replicas and its outbound edges. */
  collect(
    now: number,
    intervalMs: number,
    withHistograms = false,
  ): { cell: CellStats; replicas: ReplicaStats[]; edges: EdgeStats[] } {
    const merged = new Histogram();
    const all = [...this.#replicas, ...this.#dead];
    const replicas = all.map((r) => {
      merged.merge(r.histogram);
      return r.collect(now, withHistograms);
    });
    this.#dead = [];
    const live = replicas.filter((r) => r.state === 'ready' || r.state === 'starting');
    const ready = replicas.filter((r) => r.state === 'ready');
    const count = replicas.reduce((s, r) => s + r.count, 0);
    const errors = replicas.reduce((s, r) => s + r.errors, 0);
    const cell: CellStats = {
      cell: this.name,
      replicas: live.length,
      ready: ready.length,
      count,
      errors,
      rejected: replicas.reduce((s, r) => s + r.rejected, 0),
      rps: (count * 1000) / intervalMs,
      errorRate: count ? errors / count : 0,
      utilization: ready.length ? ready.reduce((s, r) => s + r.utilization, 0) / ready.length : 0,
      queue: ready.reduce((s, r) => s + r.queue, 0),
      p50: merged.quantile(0.5),
      p95: merged.quantile(0.95),
      p99: merged.quantile(0.99),
      max: merged.max,
    };
    const edges: EdgeStats[] = [];
    for (const [to, ds] of this.#downstream) {
      edges.push({
        from: this.name,
        to,
        count: ds.count,
        rps: (ds.count * 1000) / intervalMs,
        errors: ds.errors,
        errorRate: ds.count ? ds.errors / ds.count : 0,
        p99: ds.hist.quantile(0.99),
        ...(ds.breaker ? { breaker: ds.breaker.state } : {}),
      });
      ds.count = 0;
      ds.errors = 0;
      ds.hist.reset();
    }
    return { cell, replicas: replicas.filter((r) => r.state !== 'stopped' || r.count > 0), edges };
  }

  /**
   * Watches `<cell>.*` signals on this cell's own connection and applies them live. The
   * subscriber validates each value against its declared type: a bad one is refused there and the
   * last good one stays.
   */
  async #watchSignals(): Promise<void> {
    const id = `cell:${this.name}`;
    const keys = [`${this.name}.latencyFactor`, `${this.name}.errorRate`];
    const sub = await SignalSubscriber.open(this.#nc, {
      id,
      filter: `${this.name}.>`,
      keys,
      now: () => this.now(),
      apply: (change) => this.#apply(change.key, change.value),
      onApplied: (report) => this.#env.onSignalApplied?.(report),
    });
    const unregister = this.#env.onSignalWatch?.(id, keys);
    this.#watchStop = () => {
      unregister?.();
      sub.stop();
    };
  }

  /** Applies a signal value; false when the key is not one this cell honours or the value is bad. */
  #apply(key: string, value: unknown): boolean {
    const suffix = key.slice(this.name.length + 1);
    if (suffix === 'latencyFactor') {
      if (typeof value !== 'number' || !(value >= 0)) return false;
      this.latencyFactor = value;
      return true;
    }
    if (suffix === 'errorRate') {
      if (value !== null && (typeof value !== 'number' || value < 0 || value > 1)) return false;
      this.errorRateOverride = value;
      return true;
    }
    return false;
  }
}

/** The sandbox's one credential rule: the password of `name` is `pw-name`. */
function validCredentials(body: unknown): boolean {
  const b = body as { username?: unknown; password?: unknown } | undefined;
  return typeof b?.username === 'string' && b.password === `pw-${b.username}`;
}

const BREAKER_EVENT = { closed: 'breaker.closed', open: 'breaker.opened', 'half-open': 'breaker.half-opened' } as const;

function rank(r: Replica): number {
  return r.state === 'starting' ? 0 : 1;
}
