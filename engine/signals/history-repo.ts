/**
 * Signal history in SQLite (table `signal_history`, migration 0002). Rows arrive from the KV
 * watcher one by one, often in bursts (1,000 signals declared at start, a scenario turning knobs):
 * they are queued and written in one transaction at most every {@link FLUSH_MS}, off the
 * propagation path; reads flush the queue first, so answers are never behind.
 */
import type { Db } from '../store/index.ts';
import type { SignalAuthor, WireSpec } from './codec.ts';
import type { Propagation } from './propagation.ts';
import type { SignalValue } from './types.ts';

/** Longest a history row waits in memory before it is written. */
export const FLUSH_MS = 20;

/** One recorded change (or refused write) of a signal. */
export interface HistoryRow {
  key: string;
  revision: number;
  runId: number | null;
  /** Undefined when not stored: secrets, and writes that were not JSON. */
  value: SignalValue | undefined;
  wire: WireSpec | null;
  author: SignalAuthor;
  at: number;
  note: string | null;
  secret: boolean;
  refused: string | null;
  propagation: { subscribers: number; applied: number; p50Ms: number | null; maxMs: number | null } | null;
}

interface Raw {
  key: string;
  revision: number;
  run_id: number | null;
  value: string | null;
  wire: string | null;
  author: string;
  at: number;
  note: string | null;
  secret: number;
  refused: string | null;
  subscribers: number | null;
  applied: number | null;
  p50_ms: number | null;
  max_ms: number | null;
}

function fromRaw(r: Raw): HistoryRow {
  return {
    key: r.key,
    revision: r.revision,
    runId: r.run_id,
    value: r.value === null ? undefined : (JSON.parse(r.value) as SignalValue),
    wire: r.wire === null ? null : (JSON.parse(r.wire) as WireSpec),
    author: r.author as SignalAuthor,
    at: r.at,
    note: r.note,
    secret: r.secret === 1,
    refused: r.refused,
    propagation:
      r.subscribers === null ? null : { subscribers: r.subscribers, applied: r.applied ?? 0, p50Ms: r.p50_ms, maxMs: r.max_ms },
  };
}

/** Reads and writes `signal_history`. */
export class SignalHistoryRepo {
  readonly #db: Db;
  readonly #insert;
  readonly #propagation;
  #queue: Array<() => void> = [];
  #scheduled = false;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT OR REPLACE INTO signal_history (key, revision, run_id, value, wire, author, at, note, secret, refused)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#propagation = db.prepare(
      'UPDATE signal_history SET subscribers = ?, applied = ?, p50_ms = ?, max_ms = ? WHERE key = ? AND revision = ?',
    );
  }

  /** Queues a row (written with the rest of its burst). Secret values are dropped here. */
  record(row: Omit<HistoryRow, 'propagation'>): void {
    const value = row.secret || row.value === undefined ? null : JSON.stringify(row.value);
    const args = [
      row.key,
      row.revision,
      row.runId,
      value,
      row.wire && JSON.stringify(row.wire),
      row.author,
      Math.round(row.at),
      row.note,
      row.secret ? 1 : 0,
      row.refused,
    ];
    this.#enqueue(() => this.#insert.run(...args));
  }

  /** Queues the propagation summary of a change. */
  recordPropagation(p: Propagation): void {
    this.#enqueue(() => this.#propagation.run(p.subscribers, p.applied, p.p50Ms, p.maxMs, p.key, p.revision));
  }

  /** Rows of a key, newest first, optionally before a revision. */
  list(key: string, options: { limit?: number; before?: number } = {}): HistoryRow[] {
    this.flush();
    const rows = this.#db
      .prepare('SELECT * FROM signal_history WHERE key = ? AND revision < ? ORDER BY revision DESC LIMIT ?')
      .all(key, options.before ?? Number.MAX_SAFE_INTEGER, options.limit ?? 100) as Raw[];
    return rows.map(fromRaw);
  }

  /** One row. */
  get(key: string, revision: number): HistoryRow | undefined {
    this.flush();
    const row = this.#db.prepare('SELECT * FROM signal_history WHERE key = ? AND revision = ?').get(key, revision) as
      Raw | undefined;
    return row && fromRaw(row);
  }

  /** Writes queued rows now (one transaction). */
  flush(): void {
    if (this.#queue.length === 0) return;
    const work = this.#queue;
    this.#queue = [];
    this.#db.transaction(() => work.forEach((fn) => fn()))();
  }

  #enqueue(fn: () => void): void {
    this.#queue.push(fn);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      try {
        this.flush();
      } catch {
        // the database closed under us (engine stopping): the rows are in KV history still
      }
    }, FLUSH_MS).unref();
  }
}
