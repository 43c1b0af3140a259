/**
 * Retention primitives on the SQLite file, used by the recycling jobs: batched deletes of old
 * events, the per-minute regrouping of metric rollups, free-page accounting and incremental
 * vacuum. Each call is short (one batch, one transaction) so the caller can yield between calls
 * and the persister and collector keep writing.
 */
import type { Db } from './db.ts';
import { MetricsRepo, type RollupRow } from './metrics-repo.ts';

/** Page accounting of the main database file. */
export interface PageStats {
  pageSize: number;
  pageCount: number;
  freePages: number;
}

/** Page size, pages in the file and pages on the freelist. */
export function pageStats(db: Db): PageStats {
  return {
    pageSize: db.pragma('page_size', { simple: true }) as number,
    pageCount: db.pragma('page_count', { simple: true }) as number,
    freePages: db.pragma('freelist_count', { simple: true }) as number,
  };
}

/**
 * Deletes up to `limit` events with `time < before`, oldest sequence first. Returns how many went
 * and the highest sequence deleted (0 when none). A full pass ends when `rows < limit`.
 */
export function deleteEventsBefore(db: Db, before: number, limit: number): { rows: number; maxSeq: number } {
  return db.transaction(() => {
    const seqs = db.prepare('SELECT seq FROM events WHERE time < ? ORDER BY seq LIMIT ?').pluck().all(before, limit) as number[];
    if (seqs.length === 0) return { rows: 0, maxSeq: 0 };
    const last = seqs[seqs.length - 1]!;
    const r = db.prepare('DELETE FROM events WHERE seq >= ? AND seq <= ? AND time < ?').run(seqs[0], last, before);
    return { rows: r.changes, maxSeq: last };
  })();
}

/** Events with `time < before` (what a prune would remove). */
export function countEventsBefore(db: Db, before: number): number {
  return db.prepare('SELECT COUNT(*) FROM events WHERE time < ?').pluck().get(before) as number;
}

const MINUTE = 60_000;

/** Starts of minutes before `before` that still hold rows finer than a minute (oldest first). */
export function rollupMinutesToCompact(db: Db, before: number, limit: number): number[] {
  return db
    .prepare(
      `SELECT DISTINCT (t / ${MINUTE}) * ${MINUTE} AS m FROM metric_rollups WHERE t < ? AND span < ${MINUTE} ORDER BY m LIMIT ?`,
    )
    .pluck()
    .all(before, limit) as number[];
}

/** Every rollup row whose interval starts in the minute `[m, m + 60 s)`. */
export function rollupsInMinute(db: Db, minute: number): RollupRow[] {
  const rows = db.prepare('SELECT * FROM metric_rollups WHERE t >= ? AND t < ?').all(minute, minute + MINUTE) as Array<
    Omit<RollupRow, 'runId' | 'hist'> & { run_id: number; hist: string | null }
  >;
  return rows.map(({ run_id, hist, ...r }) => ({ ...r, runId: run_id, hist: hist ? (JSON.parse(hist) as number[]) : null }));
}

/** Replaces every row of the given minutes with `rows`, in one transaction. Returns rows deleted. */
export function replaceRollupMinutes(db: Db, minutes: number[], rows: RollupRow[]): number {
  const repo = new MetricsRepo(db);
  const del = db.prepare('DELETE FROM metric_rollups WHERE t >= ? AND t < ?');
  return db.transaction(() => {
    let deleted = 0;
    for (const m of minutes) deleted += del.run(m, m + MINUTE).changes;
    repo.insertMany(rows);
    return deleted;
  })();
}

/** Rollup rows in the database, by interval length (1 s rows vs compacted minutes). */
export function countRollups(db: Db, where: { before?: number; span?: 'second' | 'minute' } = {}): number {
  const span = where.span === 'minute' ? `span >= ${MINUTE}` : where.span === 'second' ? `span < ${MINUTE}` : '1';
  return db
    .prepare(`SELECT COUNT(*) FROM metric_rollups WHERE t < ? AND ${span}`)
    .pluck()
    .get(where.before ?? Number.MAX_SAFE_INTEGER) as number;
}

/**
 * Returns up to `maxPages` free pages to the file system (`PRAGMA incremental_vacuum`, which needs
 * the file created with auto_vacuum=INCREMENTAL, as openDb does). Returns pages freed.
 */
export function incrementalVacuum(db: Db, maxPages: number): number {
  const before = db.pragma('freelist_count', { simple: true }) as number;
  db.pragma(`incremental_vacuum(${Math.max(1, Math.floor(maxPages))})`);
  const after = db.pragma('freelist_count', { simple: true }) as number;
  return before - after;
}

/** Copies the WAL into the main file and truncates it, so a vacuum shows on disk. */
export function checkpoint(db: Db): { busy: boolean } {
  const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
  return { busy: (r?.busy ?? 0) !== 0 };
}
