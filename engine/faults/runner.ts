/**
 * The fault runner: validates a fault completely before anything changes, applies it, wraps its
 * hooks with the shared targeting (cell, op, replica, route, pair) and probability, and ends it —
 * at its duration, on removal, at the end of the run, on abort — restoring the state before.
 * Active faults are recorded in SQLite so an engine that crashed clears its leftovers on restart.
 */
import type { EventSink } from '../bus/index.ts';
import type { CellInterceptor } from '../cells/index.ts';
import type { Db } from '../store/index.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { ms } from '../organism/index.ts';
import { check } from '../util/validate.ts';
import { FAULTS } from './registry.ts';
import { FaultSpec } from './schema.ts';
import type { AppliedFault, FaultContext } from './types.ts';

/** A fault in effect, as the API lists it. */
export interface ActiveFault {
  id: string;
  spec: FaultSpec;
  startedAt: number;
  endsAt: number | null;
  details: Record<string, unknown>;
}

interface Entry extends ActiveFault {
  applied: AppliedFault;
  timer: { cancel(): void } | undefined;
  interceptor: CellInterceptor | undefined;
}

/** Why a fault ended. */
export type ClearReason = 'expired' | 'removed' | 'run-ended' | 'engine-stopped' | 'aborted';

/** Runs faults against an engine's cells and bus. */
export class FaultRunner {
  readonly #ctx: FaultContext;
  readonly #events: EventSink;
  readonly #db: Db;
  readonly #runId: () => number;
  readonly #active = new Map<string, Entry>();
  #serial = 0;

  constructor(ctx: FaultContext, events: EventSink, db: Db, runId: () => number) {
    this.#ctx = ctx;
    this.#events = events;
    this.#db = db;
    this.#runId = runId;
  }

  /** Marks faults a crashed engine left active as cleared; returns how many. */
  clearLeftovers(): number {
    const now = Math.round(this.#ctx.clock.now());
    const rows = this.#db.prepare('SELECT id, kind FROM faults WHERE cleared_at IS NULL').all() as Array<{
      id: string;
      kind: string;
    }>;
    this.#db.prepare("UPDATE faults SET cleared_at = ?, reason = 'engine-restart' WHERE cleared_at IS NULL").run(now);
    for (const r of rows) this.#events.emit('fault.cleared', { id: r.id, kind: r.kind, reason: 'engine-restart' });
    return rows.length;
  }

  /** Validates the whole spec, then applies it. Throws {@link ValidationError}; nothing changes then. */
  inject(body: unknown, signal?: AbortSignal): ActiveFault {
    const issues = check(FaultSpec, body);
    if (issues.length) throw new ValidationError(issues);
    const spec = body as FaultSpec;
    const kind = FAULTS.get(spec.kind)!;
    const kindIssues = kind.check(spec, { cells: this.#ctx.cells, ownBus: this.#ctx.supervisor !== undefined });
    if (spec.route && spec.kind !== 'latency' && spec.kind !== 'error' && spec.kind !== 'hang')
      kindIssues.push({ path: 'route', message: 'route targeting applies to latency, error and hang faults' });
    if (kindIssues.length) throw new ValidationError(kindIssues);
    const id = spec.name ?? `${spec.kind}-${++this.#serial}`;
    if (this.#active.has(id)) throw new ValidationError([{ path: 'name', message: `a fault named '${id}' is active` }]);
    const now = this.#ctx.clock.now();
    const durationMs = spec.for ? ms(spec.for) : undefined;
    const applied = kind.apply(spec, this.#ctx);
    const entry: Entry = {
      id,
      spec,
      startedAt: now,
      endsAt: durationMs === undefined ? null : now + durationMs,
      details: applied.details ?? {},
      applied,
      timer: durationMs === undefined ? undefined : this.#ctx.clock.setTimeout(() => void this.clear(id, 'expired'), durationMs),
      interceptor: applied.interceptor ? this.#target(spec, applied.interceptor) : undefined,
    };
    if (entry.interceptor) this.#ctx.cells.interceptors.add(entry.interceptor);
    this.#active.set(id, entry);
    signal?.addEventListener('abort', () => void this.clear(id, 'aborted'), { once: true });
    this.#db
      .prepare('INSERT OR REPLACE INTO faults (id, run_id, kind, spec, started_at, ends_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(
        id,
        this.#runId(),
        spec.kind,
        JSON.stringify(spec),
        Math.round(now),
        entry.endsAt === null ? null : Math.round(entry.endsAt),
      );
    this.#events.emit('fault.injected', { id, ...spec, ...entry.details }, spec.cell ? { cell: spec.cell } : {});
    applied.start?.();
    return this.#view(entry);
  }

  /** Ends a fault and restores what it changed. */
  async clear(id: string, reason: ClearReason = 'removed'): Promise<void> {
    const entry = this.#active.get(id);
    if (!entry) throw new NotFoundError(`fault '${id}'`);
    this.#active.delete(id);
    entry.timer?.cancel();
    if (entry.interceptor) this.#ctx.cells.interceptors.delete(entry.interceptor);
    await entry.applied.stop();
    this.#db
      .prepare('UPDATE faults SET cleared_at = ?, reason = ? WHERE id = ? AND cleared_at IS NULL')
      .run(Math.round(this.#ctx.clock.now()), reason, id);
    const lastedMs = Math.round(this.#ctx.clock.now() - entry.startedAt);
    this.#events.emit(
      'fault.cleared',
      { id, kind: entry.spec.kind, reason, lastedMs },
      entry.spec.cell ? { cell: entry.spec.cell } : {},
    );
  }

  /** Ends every active fault. */
  async clearAll(reason: ClearReason): Promise<void> {
    await Promise.all([...this.#active.keys()].map((id) => this.clear(id, reason)));
  }

  list(): ActiveFault[] {
    return [...this.#active.values()].map((e) => this.#view(e));
  }

  #view(e: Entry): ActiveFault {
    return { id: e.id, spec: e.spec, startedAt: e.startedAt, endsAt: e.endsAt, details: e.details };
  }

  /** Wraps a fault's hooks with targeting and probability (shared by every kind). */
  #target(spec: FaultSpec, inner: CellInterceptor): CellInterceptor {
    const rng = this.#ctx.rng.fork(`probability:${spec.kind}:${spec.cell ?? ''}`);
    const p = spec.probability ?? 1;
    const roll = (): boolean => p >= 1 || rng.next() < p;
    const out: CellInterceptor = {};
    if (inner.onRequest) {
      const onRequest = inner.onRequest.bind(inner);
      out.onRequest = (ctx) => {
        if (spec.cell && ctx.cell !== spec.cell) return undefined;
        if (spec.op && ctx.op !== spec.op) return undefined;
        if (spec.replica && ctx.replica.id !== spec.replica) return undefined;
        if (spec.route && ctx.route !== spec.route) return undefined;
        return roll() ? onRequest(ctx) : undefined;
      };
    }
    if (inner.onCall) {
      const onCall = inner.onCall.bind(inner);
      out.onCall = (from, to, op) => {
        const verdict = onCall(from, to, op);
        return verdict && roll() ? verdict : undefined;
      };
    }
    return out;
  }
}
