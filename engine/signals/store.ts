/**
 * Signals in the NATS KV bucket, engine side. The store declares signals with their types, writes
 * changes (validated first: a bad value is refused and nothing is written), and is the authority
 * that watches the whole bucket: every stored revision — ours, or one another tool wrote — is
 * validated there, recorded in SQLite history, announced as `signal.changed` (or `signal.refused`,
 * after which the last good value is written back), handed to in-engine watchers, and followed
 * until every subscriber applied it (`signal.applied`).
 */
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { QueuedIterator } from '@nats-io/nats-core';
import type { EventType } from '../api/events.ts';
import { SIGNALS_BUCKET, type EventSink } from '../bus/index.ts';
import type { Clock, TimerHandle } from '../clock.ts';
import { ConflictError, drop, NotFoundError, ValidationError, type Issue } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { SignalSpec } from '../organism/index.ts';
import type { Db } from '../store/index.ts';
import {
  decodeSignal,
  encodeSignal,
  wireSpec,
  type SignalAuthor,
  type StoredSignal,
  type TargetingRule,
  type WireSpec,
} from './codec.ts';
import { evaluate, type Evaluation, type EvaluationContext } from './flags.ts';
import { SignalHistoryRepo, type HistoryRow } from './history-repo.ts';
import { keyMatches, PropagationTracker, type AppliedReport, type KeyFilter, type Propagation } from './propagation.ts';
import { listenRemote } from './remote.ts';
import { maskValue, SecretRedactor } from './secrets.ts';
import type { SignalChange } from './subscriber.ts';
import { recordError, type SignalValue } from './types.ts';

export { maskValue };

/** A signal's live state. */
export interface SignalState {
  /** As declared (manifest or built-in). */
  spec: SignalSpec;
  value: SignalValue;
  /** Live typing: the declared type and bounds, the current rollout and targeting. */
  wire: WireSpec;
  revision: number;
  author: SignalAuthor;
  at: number;
  note?: string;
}

/** A change asked for; fields left out keep their current value. `rollout: 0` ends a rollout. */
export interface SignalPatch {
  value?: SignalValue;
  rollout?: number;
  targeting?: TargetingRule[];
}

/** Options of {@link SignalStore} beyond the bucket, clock and event sink. */
export interface SignalStoreOptions {
  /** The engine's connection: bulk writes and remote watchers' reports go over it. */
  nc?: NatsConnection;
  /** SQLite history (table `signal_history`); without it history comes from KV only. */
  db?: Db;
  logger?: Logger;
  runId?: () => number | undefined;
  /** Shared with the event publisher and the logger, which mask secret values with it. */
  redactor?: SecretRedactor;
  /** Engine ms after which a change is summarised with its missing subscribers (default 3 s). */
  deadlineMs?: number;
}

interface Watcher {
  id: string;
  filter: KeyFilter;
  fn: (change: SignalChange) => boolean | void | Promise<boolean | void>;
}

/** A stored record as the authority watcher saw it. */
interface Seen {
  rec: StoredSignal | undefined;
  revision: number;
}

/**
 * Events of the authority watcher wait this long (or until the change's propagation finishes):
 * publishing them to JetStream at the instant nats-server fans the change out to every watcher
 * doubled the median propagation time on two cores. `data.at` keeps the exact time of the change.
 */
const EVENT_DELAY_MS = 5;

/** Milliseconds a write waits for the watcher to process its revision before answering anyway. */
const OBSERVE_TIMEOUT_MS = 2000;

/** Declared signals, their live values in KV, history, propagation and secrets. */
export class SignalStore {
  readonly #kv: KV;
  readonly #clock: Clock;
  readonly #events: EventSink;
  readonly #opts: SignalStoreOptions;
  readonly #logger: Logger;
  readonly #specs = new Map<string, SignalSpec>();
  readonly #current = new Map<string, SignalState>();
  /** Records found in KV at start, before anything was declared. */
  readonly #loaded = new Map<string, Seen>();
  readonly #watchers = new Set<Watcher>();
  readonly #history: SignalHistoryRepo | undefined;
  readonly #ttl = new Map<string, TimerHandle>();
  readonly #remote = new Set<string>();
  readonly redactor: SecretRedactor;
  readonly tracker: PropagationTracker;
  #watch: QueuedIterator<KvWatchEntry> | undefined;
  #started: Promise<void> | undefined;
  #processed = 0;
  #waiters: Array<{ revision: number; resolve: () => void }> = [];
  #stopRemote: (() => void) | undefined;
  readonly #propagationListeners = new Set<(p: Propagation) => void>();
  #deferred: Array<[EventType, Record<string, unknown>]> = [];
  #deferTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(kv: KV, clock: Clock, events: EventSink, options: SignalStoreOptions = {}) {
    this.#kv = kv;
    this.#clock = clock;
    this.#events = events;
    this.#opts = options;
    this.#logger = options.logger ?? silentLogger;
    this.redactor = options.redactor ?? new SecretRedactor();
    this.#history = options.db ? new SignalHistoryRepo(options.db) : undefined;
    this.tracker = new PropagationTracker({ clock, deadlineMs: options.deadlineMs, onDone: (p) => this.#propagated(p) });
  }

  /** Starts the authority watcher and reads what KV holds; idempotent. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  /** Stops watching; pending propagations are dropped, queued history is written. */
  stop(): void {
    this.#watch?.stop();
    this.#stopRemote?.();
    this.tracker.stop();
    this.#flushEvents();
    for (const t of this.#ttl.values()) t.cancel();
    this.#history?.flush();
  }

  async #start(): Promise<void> {
    const watch = await this.#kv.watch({ key: '>' });
    this.#watch = watch;
    let initial = true;
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    const loop = async (): Promise<void> => {
      for await (const e of watch) {
        if (initial)
          this.#loaded.set(e.key, { rec: e.operation === 'PUT' ? decodeSignal(e.value) : undefined, revision: e.revision });
        else this.#onEntry(e);
        this.#observe(e.revision);
        if (initial && e.delta === 0) {
          initial = false;
          loaded();
        }
      }
      loaded();
    };
    drop(loop());
    const status = await this.#kv.status();
    if (status.values === 0) {
      initial = false;
      loaded();
    }
    await ready;
    if (this.#opts.nc) this.#stopRemote = listenRemote(this.#opts.nc, this.#remoteSink());
  }

  // ---- declaring ---------------------------------------------------------------------------

  /**
   * Declares signals and writes their declared values where KV holds a different one (the
   * manifest is the truth at start). Validates every spec first: nothing is declared on error.
   */
  async declare(specs: SignalSpec[], author: SignalAuthor = 'organism'): Promise<void> {
    await this.start();
    const issues = specs.flatMap((s) => {
      const err = recordError(wireSpec(s), s.value);
      return err ? [{ path: s.key, message: err }] : [];
    });
    if (issues.length) throw new ValidationError(issues);
    const writes: Array<{ spec: SignalSpec; rec: StoredSignal }> = [];
    const at = this.#clock.now();
    for (const spec of specs) {
      this.#specs.set(spec.key, spec);
      const wire = wireSpec(spec);
      const seen = this.#loaded.get(spec.key);
      this.#loaded.delete(spec.key);
      if (seen?.rec && sameRecord(seen.rec, spec.value, wire)) {
        this.#current.set(spec.key, {
          spec,
          value: spec.value,
          wire,
          revision: seen.revision,
          author: seen.rec.by,
          at: seen.rec.at,
          ...(seen.rec.note ? { note: seen.rec.note } : {}),
        });
        if (spec.secret) this.redactor.add(spec.value);
      } else writes.push({ spec, rec: { v: spec.value, by: author, at, s: wire } });
    }
    await this.#writeBulk(writes.map((w) => ({ key: w.spec.key, rec: w.rec })));
  }

  /** Forgets signals (e.g. of a removed cell); their KV entries are deleted. */
  async undeclare(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.#specs.delete(key);
      this.#current.delete(key);
      this.#ttl.get(key)?.cancel();
      await this.#kv.delete(key);
    }
  }

  // ---- reading -----------------------------------------------------------------------------

  has(key: string): boolean {
    return this.#specs.has(key);
  }

  spec(key: string): SignalSpec {
    const spec = this.#specs.get(key);
    if (!spec) throw new NotFoundError(`signal '${key}'`);
    return spec;
  }

  /** A signal's live state. */
  state(key: string): SignalState {
    const spec = this.spec(key);
    return this.#current.get(key) ?? { spec, value: spec.value, wire: wireSpec(spec), revision: 0, author: 'organism', at: 0 };
  }

  /** Current value (the last good one). */
  value(key: string): SignalValue {
    return this.state(key).value;
  }

  /** Current value (alias of {@link value} for other domains). */
  get(key: string): SignalValue {
    return this.value(key);
  }

  list(): SignalState[] {
    return [...this.#specs.keys()].map((k) => this.state(k));
  }

  /** Evaluates a signal for a client (flags: targeting, then the sticky rollout). */
  evaluate(key: string, context: EvaluationContext = {}): Evaluation {
    const s = this.state(key);
    return evaluate(key, s.value, s.wire, context);
  }

  /** History of a key, newest first (SQLite; the KV's last 64 revisions without a database). */
  async history(key: string, options: { limit?: number; before?: number } = {}): Promise<HistoryRow[]> {
    const spec = this.spec(key);
    if (this.#history) return this.#history.list(key, options);
    const rows: HistoryRow[] = [];
    for await (const e of await this.#kv.history({ key })) {
      if (e.operation !== 'PUT' || (options.before !== undefined && e.revision >= options.before)) continue;
      const rec = decodeSignal(e.value);
      rows.push(
        this.#row(spec, e.revision, rec, rec ? (recordError(this.#liveWire(spec, rec), rec.v) ?? null) : 'not a JSON value'),
      );
    }
    return rows.reverse().slice(0, options.limit ?? 100);
  }

  /** Revisions of a key still held in KV history (the bucket keeps 64 per key). */
  async kvRevisions(key: string): Promise<Set<number>> {
    const out = new Set<number>();
    for await (const e of await this.#kv.history({ key })) if (e.operation === 'PUT') out.add(e.revision);
    return out;
  }

  /** Tells `fn` about every finished propagation (also those nobody watched); returns the unlisten. */
  onPropagation(fn: (p: Propagation) => void): () => void {
    this.#propagationListeners.add(fn);
    return () => this.#propagationListeners.delete(fn);
  }

  /** The last finished propagation (of one key, or of any). */
  lastPropagation(key?: string): Propagation | undefined {
    return this.tracker.last(key);
  }

  // ---- writing -----------------------------------------------------------------------------

  /** Validates and writes a value; throws {@link ValidationError} and changes nothing if it does not fit. */
  set(key: string, value: unknown, author: SignalAuthor, note?: string): Promise<SignalState> {
    return this.change(key, { value: value as SignalValue }, author, note);
  }

  /** Validates and writes a change of value, rollout or targeting. */
  async change(key: string, patch: SignalPatch, author: SignalAuthor, note?: string): Promise<SignalState> {
    const [state] = await this.changeMany([{ key, ...patch }], author, note);
    return state!;
  }

  /**
   * Validates every change first, then writes them all: one bad change refuses the whole batch
   * (a `signal.refused` event each) and nothing is written.
   */
  async changeMany(changes: Array<SignalPatch & { key: string }>, author: SignalAuthor, note?: string): Promise<SignalState[]> {
    if (changes.length === 1 && !this.#specs.has(changes[0]!.key)) throw new NotFoundError(`signal '${changes[0]!.key}'`);
    const { issues, planned } = this.#plan(changes, author, note);
    for (const p of planned.filter((x) => x.error))
      this.#events.emit('signal.refused', { key: p.key, value: maskValue(this.spec(p.key), p.rec.v), reason: p.error, author });
    if (issues.length) throw new ValidationError(issues);
    const revisions = await Promise.all(planned.map((p) => this.#kv.put(p.key, encodeSignal(p.rec))));
    await this.#observed(Math.max(...revisions));
    return planned.map((p) => this.state(p.key));
  }

  /** What is wrong with a set of changes, without writing or announcing anything. */
  check(changes: Array<SignalPatch & { key: string }>): Issue[] {
    return this.#plan(changes, 'api').issues;
  }

  #plan(changes: Array<SignalPatch & { key: string }>, author: SignalAuthor, note?: string) {
    const issues: Issue[] = [];
    const planned: Array<{ key: string; rec: StoredSignal; error?: string }> = [];
    for (const c of changes) {
      if (!this.#specs.has(c.key)) {
        issues.push({ path: c.key, message: `no signal '${c.key}' is declared` });
        continue;
      }
      const cur = this.state(c.key);
      const wire = patched(cur.wire, c);
      const value = 'value' in c && c.value !== undefined ? c.value : cur.value;
      const error = recordError(wire, value);
      if (error) issues.push({ path: c.key, message: error });
      const rec: StoredSignal = { v: value, by: author, at: this.#clock.now(), ...(note ? { note } : {}), s: wire };
      planned.push({ key: c.key, rec, ...(error ? { error } : {}) });
    }
    return { issues, planned };
  }

  /**
   * Rolls a signal back to the value (and rollout, targeting) it had at `revision`: a new change
   * with author `rollback`. The value comes from KV history, else from SQLite (not for secrets).
   */
  async rollback(key: string, revision: number, note?: string): Promise<SignalState> {
    const spec = this.spec(key);
    const target = await this.#recordAt(spec, revision);
    const wire = this.#liveWire(spec, target);
    const err = recordError(wire, target.v);
    if (err) throw new ValidationError([{ path: 'revision', message: `revision ${revision} does not fit '${key}' now: ${err}` }]);
    return this.change(
      key,
      { value: target.v, rollout: wire.rollout ?? 0, targeting: wire.targeting ?? [] },
      'rollback',
      note ?? `rollback to revision ${revision}`,
    );
  }

  async #recordAt(spec: SignalSpec, revision: number): Promise<StoredSignal> {
    const entry = await this.#kv.get(spec.key, { revision }).catch(() => null);
    if (entry && entry.key === spec.key && entry.operation === 'PUT') {
      const rec = decodeSignal(entry.value);
      if (rec) return rec;
    }
    const row = this.#history?.get(spec.key, revision);
    if (!row && !entry) throw new NotFoundError(`revision ${revision} of signal '${spec.key}'`);
    if (row?.refused)
      throw new ValidationError([{ path: 'revision', message: `revision ${revision} was refused: ${row.refused}` }]);
    if (!row || row.value === undefined)
      throw new ConflictError(
        `the value of revision ${revision} of '${spec.key}' is no longer in KV history${spec.secret ? ' (secret values are not kept in SQLite)' : ''}`,
      );
    return { v: row.value, by: row.author, at: row.at, ...(row.wire ? { s: row.wire } : {}) };
  }

  /** Writes many records: core publishes plus one acknowledged barrier (1,000 in tens of ms). */
  async #writeBulk(writes: Array<{ key: string; rec: StoredSignal }>): Promise<void> {
    if (writes.length === 0) return;
    const nc = this.#opts.nc;
    if (!nc || writes.length < 8) {
      const revs = await Promise.all(writes.map((w) => this.#kv.put(w.key, encodeSignal(w.rec))));
      await this.#observed(Math.max(...revs));
      return;
    }
    // One connection delivers in order: when the last (acknowledged) publish is stored, every
    // earlier one was processed. The watcher confirms each; stragglers are written again, acked.
    for (const w of writes.slice(0, -1)) nc.publish(`$KV.${SIGNALS_BUCKET}.${w.key}`, encodeSignal(w.rec));
    const last = writes.at(-1)!;
    const ack = await jetstream(nc).publish(`$KV.${SIGNALS_BUCKET}.${last.key}`, encodeSignal(last.rec));
    await this.#observed(ack.seq);
    const missing = writes.filter((w) => this.#current.get(w.key)?.at !== w.rec.at);
    if (missing.length) {
      this.#logger.warn('signals: some bulk writes were not seen; writing them again', { count: missing.length });
      const revs = await Promise.all(missing.map((w) => this.#kv.put(w.key, encodeSignal(w.rec))));
      await this.#observed(Math.max(...revs));
    }
  }

  /** Resolves once the authority watcher processed `revision` (or after a timeout). */
  #observed(revision: number): Promise<void> {
    if (this.#processed >= revision) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, OBSERVE_TIMEOUT_MS).unref();
      this.#waiters.push({ revision, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  #observe(revision: number): void {
    this.#processed = Math.max(this.#processed, revision);
    if (this.#waiters.length === 0) return;
    const done = this.#waiters.filter((w) => w.revision <= this.#processed);
    this.#waiters = this.#waiters.filter((w) => w.revision > this.#processed);
    for (const w of done) w.resolve();
  }

  // ---- watching ----------------------------------------------------------------------------

  /**
   * Watches signals in-engine (immune, scaling, recycling policies): `fn` gets the current value
   * of each matching key now, then every good change; returning false means "not honoured". The
   * watcher counts as a propagation subscriber. Returns the unwatch function.
   */
  watch(filter: KeyFilter, subscriber: string, fn: Watcher['fn']): () => void {
    const w: Watcher = { id: subscriber, filter, fn };
    this.#watchers.add(w);
    const unregister = this.tracker.register(subscriber, filter);
    for (const s of this.list()) if (keyMatches(filter, s.spec.key)) drop(Promise.resolve(fn(toChange(s))));
    return () => {
      this.#watchers.delete(w);
      unregister();
    };
  }

  /** Hooks for cells (CellEnv): register a watcher on its own connection, report application. */
  readonly cellHooks = {
    onSignalWatch: (subscriber: string, keys: string[]): (() => void) => this.tracker.register(subscriber, keys),
    onSignalApplied: (report: AppliedReport): void => this.tracker.applied(report),
  };

  /** Masks secrets in an event (hook for EventPublisher.redact). */
  readonly redactEvent = <E extends { data: Record<string, unknown> }>(event: E): E => {
    if (this.redactor.size === 0) return event;
    const data = this.redactor.value(event.data);
    return data === event.data ? event : { ...event, data };
  };

  #remoteSink() {
    return {
      watching: (m: { id: string; filter: KeyFilter }) => {
        this.#remote.add(m.id);
        this.tracker.register(m.id, m.filter);
      },
      applied: (r: AppliedReport) => this.tracker.applied(r),
      stopped: (id: string) => {
        this.#remote.delete(id);
        this.tracker.unregister(id);
      },
    };
  }

  // ---- the authority watcher ---------------------------------------------------------------

  #onEntry(e: KvWatchEntry): void {
    const spec = this.#specs.get(e.key);
    if (!spec) {
      // Not declared (yet): remembered for declare(), which compares it with the declared value.
      this.#loaded.set(e.key, { rec: e.operation === 'PUT' ? decodeSignal(e.value) : undefined, revision: e.revision });
      return;
    }
    const cur = this.#current.get(e.key);
    if (e.operation !== 'PUT') {
      this.#refused(spec, e.revision, undefined, 'deleted by another tool');
      return;
    }
    const rec = decodeSignal(e.value);
    if (!rec) return this.#refused(spec, e.revision, undefined, 'not a JSON value');
    const wire = rec.s ? this.#liveWire(spec, rec) : (cur?.wire ?? wireSpec(spec));
    const err = recordError(wire, rec.v);
    if (err) return this.#refused(spec, e.revision, rec, err);
    const at = rec.at || this.#clock.now();
    const state: SignalState = {
      spec,
      value: rec.v,
      wire,
      revision: e.revision,
      author: rec.by,
      at,
      ...(rec.note ? { note: rec.note } : {}),
    };
    this.#current.set(spec.key, state);
    if (spec.secret) this.redactor.add(rec.v);
    this.#history?.record(this.#row(spec, e.revision, rec, null));
    this.#defer('signal.changed', {
      key: spec.key,
      at,
      value: maskValue(spec, rec.v),
      previous: cur ? maskValue(spec, cur.value) : null,
      revision: e.revision,
      author: rec.by,
      ...(rec.note ? { note: rec.note } : {}),
      ...(wire.rollout !== undefined ? { rollout: wire.rollout } : {}),
    });
    this.tracker.changed(spec.key, e.revision, at, rec.by);
    this.#dispatch(state);
    this.#scheduleTtl(state);
  }

  #dispatch(state: SignalState): void {
    const change = toChange(state);
    for (const w of this.#watchers) {
      if (!keyMatches(w.filter, change.key)) continue;
      const report = (applied: boolean | void): void =>
        this.tracker.applied({
          key: change.key,
          revision: change.revision,
          subscriber: w.id,
          appliedAt: this.#clock.now(),
          changedAt: change.at,
          ...(applied === false ? { skipped: true } : {}),
        });
      try {
        const out = w.fn(change);
        if (out instanceof Promise)
          out.then(report, (err: unknown) => this.#logger.error('signal watcher failed', { subscriber: w.id, err }));
        else report(out);
      } catch (err) {
        this.#logger.error('signal watcher failed', { subscriber: w.id, key: change.key, err });
      }
    }
  }

  /** A bad write by another tool: say why, record it, and restore the last good value. */
  #refused(spec: SignalSpec, revision: number, rec: StoredSignal | undefined, reason: string): void {
    const author = rec?.by ?? 'external';
    this.#defer('signal.refused', { key: spec.key, value: rec ? maskValue(spec, rec.v) : null, reason, author, revision });
    this.#history?.record(this.#row(spec, revision, rec, reason));
    this.#logger.warn('signal value refused; restoring the last good one', { key: spec.key, revision, reason });
    const good = this.#current.get(spec.key);
    const restore: StoredSignal = {
      v: good ? good.value : spec.value,
      by: 'engine',
      at: this.#clock.now(),
      note: `restored after refused revision ${revision}`,
      s: good?.wire ?? wireSpec(spec),
    };
    // Only while the refused revision is still the latest: a newer write is judged on its own, and
    // a blind put here could overwrite a good value someone wrote just after the bad one.
    drop(
      this.#kv.update(spec.key, encodeSignal(restore), revision).catch((err: unknown) => {
        const e = err as { code?: number; message?: string };
        if (e.code !== 10071 && !/wrong last sequence/i.test(e.message ?? '')) throw err; // 10071: not the latest
      }),
    );
  }

  #defer(type: EventType, data: Record<string, unknown>): void {
    this.#deferred.push([type, data]);
    this.#deferTimer ??= setTimeout(() => this.#flushEvents(), EVENT_DELAY_MS);
  }

  #flushEvents(): void {
    clearTimeout(this.#deferTimer);
    this.#deferTimer = undefined;
    const events = this.#deferred;
    this.#deferred = [];
    for (const [type, data] of events) this.#events.emit(type, data);
  }

  #propagated(p: Propagation): void {
    for (const fn of this.#propagationListeners) fn(p);
    if (p.subscribers > 0) this.#history?.recordPropagation(p);
    // A remote watcher that missed a change is presumed gone until it announces itself again.
    for (const id of p.missing) if (this.#remote.delete(id)) this.tracker.unregister(id);
    if (p.subscribers === 0) return; // nobody watches it: nothing propagated, no event
    const { delays: _delays, ...summary } = p;
    this.#flushEvents(); // its signal.changed goes first
    this.#events.emit('signal.applied', summary);
  }

  /** Typing at a revision: declared type and bounds, with the record's rollout and targeting. */
  #liveWire(spec: SignalSpec, rec: Pick<StoredSignal, 's'>): WireSpec {
    const wire = wireSpec(spec);
    delete wire.rollout;
    delete wire.targeting;
    if (rec.s?.rollout !== undefined && rec.s.rollout > 0) wire.rollout = rec.s.rollout;
    if (rec.s?.targeting?.length) wire.targeting = rec.s.targeting;
    return wire;
  }

  #row(spec: SignalSpec, revision: number, rec: StoredSignal | undefined, refused: string | null): HistoryRow {
    return {
      key: spec.key,
      revision,
      runId: this.#opts.runId?.() ?? null,
      value: rec?.v,
      wire: rec ? this.#liveWire(spec, rec) : null,
      author: rec?.by ?? 'external',
      at: rec?.at || this.#clock.now(),
      note: rec?.note ?? null,
      secret: spec.secret,
      refused,
      propagation: null,
    };
  }

  // ---- ttl ---------------------------------------------------------------------------------

  /** A changed signal with a `ttl` returns to its declared value when the ttl passes. */
  #scheduleTtl(state: SignalState): void {
    const ttl = state.spec.ttlMs;
    if (!ttl) return;
    this.#ttl.get(state.spec.key)?.cancel();
    this.#ttl.delete(state.spec.key);
    if (sameRecord({ v: state.value, s: state.wire }, state.spec.value, wireSpec(state.spec))) return;
    const timer = this.#clock.setTimeout(() => drop(this.expireDue()), Math.max(0, state.at + ttl - this.#clock.now()));
    this.#ttl.set(state.spec.key, timer);
  }

  /** Restores every signal whose ttl passed to its declared value; returns their keys. */
  async expireDue(): Promise<string[]> {
    const now = this.#clock.now();
    const due = this.list().filter(
      (s) => s.spec.ttlMs && s.at + s.spec.ttlMs <= now && !sameRecord({ v: s.value, s: s.wire }, s.spec.value, wireSpec(s.spec)),
    );
    for (const s of due) {
      const wire = wireSpec(s.spec);
      await this.change(
        s.spec.key,
        { value: s.spec.value, rollout: wire.rollout ?? 0, targeting: wire.targeting ?? [] },
        'engine',
        'ttl expired',
      );
    }
    return due.map((s) => s.spec.key);
  }
}

/** A state as watchers see it. */
function toChange(s: SignalState): SignalChange {
  return {
    key: s.spec.key,
    value: s.value,
    revision: s.revision,
    author: s.author,
    at: s.at,
    wire: s.wire,
    ...(s.note ? { note: s.note } : {}),
  };
}

/** The typing after a patch: `rollout: 0` and an empty targeting list remove them. */
function patched(wire: WireSpec, patch: SignalPatch): WireSpec {
  const out: WireSpec = { ...wire };
  if (patch.rollout !== undefined) {
    if (patch.rollout === 0) delete out.rollout;
    else out.rollout = patch.rollout;
  }
  if (patch.targeting !== undefined) {
    if (patch.targeting.length === 0) delete out.targeting;
    else out.targeting = patch.targeting;
  }
  return out;
}

function sameRecord(rec: Pick<StoredSignal, 'v' | 's'>, value: SignalValue, wire: WireSpec): boolean {
  return JSON.stringify(rec.v) === JSON.stringify(value) && canonical(rec.s ?? null) === canonical(wire);
}

/** JSON with object keys sorted, so equal typings compare equal whatever order built them. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
