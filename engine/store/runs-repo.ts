/** Runs, organism versions, cells and replicas in SQLite. */
import type { RunView } from '../api/schema.ts';
import type { Db } from './db.ts';

/** Repository of runs and what they grew. */
export class RunsRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Stores an organism version once per distinct spec; returns its id. */
  organismVersion(name: string, hash: string, source: string, spec: unknown, now: number): number {
    const found = this.#db.prepare('SELECT id FROM organism_versions WHERE hash = ?').get(hash) as { id: number } | undefined;
    if (found) return found.id;
    const r = this.#db
      .prepare('INSERT INTO organism_versions (name, hash, source, spec, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(name, hash, source, JSON.stringify(spec), Math.round(now));
    return Number(r.lastInsertRowid);
  }

  start(kind: 'session' | 'scenario', name: string, organismVersion: number | null, seed: number | null, now: number): number {
    const r = this.#db
      .prepare('INSERT INTO runs (kind, name, organism_version, seed, started_at) VALUES (?, ?, ?, ?, ?)')
      .run(kind, name, organismVersion, seed, Math.round(now));
    return Number(r.lastInsertRowid);
  }

  finish(id: number, status: string, now: number, result?: unknown): void {
    this.#db
      .prepare('UPDATE runs SET ended_at = ?, status = ?, result = COALESCE(?, result) WHERE id = ?')
      .run(Math.round(now), status, result === undefined ? null : JSON.stringify(result), id);
  }

  /** Finishes a run unless it already has an outcome. */
  finishIfRunning(id: number, status: string, now: number): void {
    this.#db
      .prepare("UPDATE runs SET ended_at = ?, status = ? WHERE id = ? AND status = 'running'")
      .run(Math.round(now), status, id);
  }

  /** Marks runs left 'running' by an engine that died as 'aborted'. */
  abandonRunning(now: number): number {
    return this.#db.prepare("UPDATE runs SET status = 'aborted', ended_at = ? WHERE status = 'running'").run(now).changes;
  }

  list(limit = 100): RunView[] {
    const rows = this.#db
      .prepare(
        `SELECT r.id, r.kind, r.name, r.seed, r.started_at, r.ended_at, r.status, o.name AS organism,
                (SELECT COUNT(*) FROM events e WHERE e.run_id = r.id) AS events
           FROM runs r LEFT JOIN organism_versions o ON o.id = r.organism_version
          ORDER BY r.id DESC LIMIT ?`,
      )
      .all(limit) as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      id: r.id as number,
      kind: r.kind as string,
      name: r.name as string,
      seed: (r.seed as number | null) ?? null,
      startedAt: r.started_at as number,
      endedAt: (r.ended_at as number | null) ?? null,
      status: r.status as string,
      organism: (r.organism as string | null) ?? null,
      events: r.events as number,
    }));
  }

  get(id: number): (RunView & { result: unknown }) | undefined {
    const row = this.#db.prepare('SELECT result FROM runs WHERE id = ?').get(id) as { result: string | null } | undefined;
    if (!row) return undefined;
    const view = this.list(1_000_000).find((r) => r.id === id)!;
    return { ...view, result: row.result ? (JSON.parse(row.result) as unknown) : null };
  }

  cellSpawned(runId: number, name: string, spec: unknown, now: number): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO cells (run_id, name, spec, spawned_at) VALUES (?, ?, ?, ?)')
      .run(runId, name, JSON.stringify(spec), now);
  }

  cellRemoved(runId: number, name: string, now: number): void {
    this.#db
      .prepare('UPDATE cells SET removed_at = ? WHERE run_id = ? AND name = ? AND removed_at IS NULL')
      .run(now, runId, name);
  }

  replicaStarted(runId: number, id: string, cell: string, now: number): void {
    this.#db
      .prepare('INSERT OR REPLACE INTO replicas (run_id, id, cell, started_at) VALUES (?, ?, ?, ?)')
      .run(runId, id, cell, now);
  }

  replicaReady(runId: number, id: string, now: number): void {
    this.#db.prepare('UPDATE replicas SET ready_at = ? WHERE run_id = ? AND id = ?').run(now, runId, id);
  }

  replicaEnded(runId: number, id: string, reason: string, now: number): void {
    this.#db
      .prepare('UPDATE replicas SET stopped_at = ?, reason = ? WHERE run_id = ? AND id = ? AND stopped_at IS NULL')
      .run(now, reason, runId, id);
  }
}
