/** Recycling job runs in SQLite: start, finish, skips, history and totals per job. */
import type { Db } from './db.ts';

/** How a run ended (`running` while it runs). */
export type JobOutcome = 'running' | 'ok' | 'noop' | 'failed' | 'aborted' | 'skipped';

/** One stored run. */
export interface JobRunRow {
  id: number;
  runId: number | null;
  job: string;
  action: string;
  trigger: 'schedule' | 'manual';
  startedAt: number;
  endedAt: number | null;
  outcome: JobOutcome;
  rows: number;
  bytes: number;
  error: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

/** Totals of one job's history. */
export interface JobTotals {
  runs: number;
  failed: number;
  skipped: number;
  rows: number;
  bytes: number;
}

/** Where and what a run is. */
export interface JobRunStart {
  organism: string;
  runId: number | null;
  job: string;
  action: string;
  trigger: 'schedule' | 'manual';
  startedAt: number;
}

/** How a run ended. */
export interface JobRunEnd {
  endedAt: number;
  outcome: Exclude<JobOutcome, 'running' | 'skipped'>;
  rows: number;
  bytes: number;
  error?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

interface Row {
  id: number;
  run_id: number | null;
  job: string;
  action: string;
  trigger: 'schedule' | 'manual';
  started_at: number;
  ended_at: number | null;
  outcome: JobOutcome;
  rows: number;
  bytes: number;
  error: string | null;
  reason: string | null;
  details: string | null;
}

function fromRow(r: Row): JobRunRow {
  return {
    id: r.id,
    runId: r.run_id,
    job: r.job,
    action: r.action,
    trigger: r.trigger,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    outcome: r.outcome,
    rows: r.rows,
    bytes: r.bytes,
    error: r.error,
    reason: r.reason,
    details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : {},
  };
}

/** Repository of recycling runs. */
export class JobRunsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records the start of a run; returns its id. */
  start(s: JobRunStart): number {
    const r = this.#db
      .prepare('INSERT INTO recycling_runs (organism, run_id, job, action, trigger, started_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.organism, s.runId, s.job, s.action, s.trigger, s.startedAt);
    return Number(r.lastInsertRowid);
  }

  finish(id: number, e: JobRunEnd): void {
    this.#db
      .prepare(
        'UPDATE recycling_runs SET ended_at = ?, outcome = ?, rows = ?, bytes = ?, error = ?, reason = ?, details = ? WHERE id = ?',
      )
      .run(e.endedAt, e.outcome, e.rows, e.bytes, e.error ?? null, e.reason ?? null, JSON.stringify(e.details ?? {}), id);
  }

  /** Records a start that did not happen (the previous run was still going). */
  skipped(s: JobRunStart, reason: string, details: Record<string, unknown>): number {
    const r = this.#db
      .prepare(
        `INSERT INTO recycling_runs (organism, run_id, job, action, trigger, started_at, ended_at, outcome, reason, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'skipped', ?, ?)`,
      )
      .run(s.organism, s.runId, s.job, s.action, s.trigger, s.startedAt, s.startedAt, reason, JSON.stringify(details));
    return Number(r.lastInsertRowid);
  }

  get(id: number): JobRunRow | undefined {
    const r = this.#db.prepare('SELECT * FROM recycling_runs WHERE id = ?').get(id) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  /** A job's runs, newest first; `before` pages by id, `runId` narrows to one engine run. */
  list(organism: string, job: string, q: { limit?: number; before?: number; runId?: number } = {}): JobRunRow[] {
    const rows = this.#db
      .prepare(
        `SELECT * FROM recycling_runs WHERE organism = ? AND job = ? AND id < ? AND (? IS NULL OR run_id = ?)
         ORDER BY id DESC LIMIT ?`,
      )
      .all(organism, job, q.before ?? Number.MAX_SAFE_INTEGER, q.runId ?? null, q.runId ?? null, q.limit ?? 100) as Row[];
    return rows.map(fromRow);
  }

  /** The latest run that was not skipped. */
  last(organism: string, job: string): JobRunRow | undefined {
    const r = this.#db
      .prepare("SELECT * FROM recycling_runs WHERE organism = ? AND job = ? AND outcome != 'skipped' ORDER BY id DESC LIMIT 1")
      .get(organism, job) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  totals(organism: string, job: string): JobTotals {
    return this.#db
      .prepare(
        `SELECT COUNT(*) FILTER (WHERE outcome != 'skipped') AS runs, COUNT(*) FILTER (WHERE outcome = 'failed') AS failed,
                COUNT(*) FILTER (WHERE outcome = 'skipped') AS skipped, COALESCE(SUM(rows), 0) AS rows,
                COALESCE(SUM(bytes), 0) AS bytes
           FROM recycling_runs WHERE organism = ? AND job = ?`,
      )
      .get(organism, job) as JobTotals;
  }

  /** Marks runs of these jobs left 'running' by an engine that died as 'aborted'. */
  abandonRunning(now: number, organism: string, jobs: string[]): number {
    if (jobs.length === 0) return 0;
    return this.#db
      .prepare(
        `UPDATE recycling_runs SET outcome = 'aborted', ended_at = ?, reason = 'the engine stopped during the run'
          WHERE outcome = 'running' AND organism = ? AND job IN (${jobs.map(() => '?').join(',')})`,
      )
      .run(now, organism, ...jobs).changes;
  }

  /** Keeps the newest `keep` rows of a job (its history limit); returns how many were dropped. */
  trim(organism: string, job: string, keep: number): number {
    return this.#db
      .prepare(
        `DELETE FROM recycling_runs WHERE organism = ? AND job = ? AND id <= (
           SELECT id FROM recycling_runs WHERE organism = ? AND job = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      )
      .run(organism, job, organism, job, keep).changes;
  }
}
