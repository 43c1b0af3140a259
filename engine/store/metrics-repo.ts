/** Per-second (and, once compacted, per-minute) metric rollups in SQLite. */
import type { Db } from './db.ts';

/** One rollup row: an interval of one route, cell or traffic stream. */
export interface RollupRow {
  runId: number;
  scope: 'route' | 'cell' | 'stream' | 'edge';
  key: string;
  t: number;
  span: number;
  count: number;
  ok: number;
  c4xx: number;
  c5xx: number;
  timeouts: number;
  blocked: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  utilization?: number | null;
  queue?: number | null;
  replicas?: number | null;
  /** Sparse histogram `[bucket, count, …]`. */
  hist?: number[] | null;
}

interface DbRow extends Omit<RollupRow, 'runId' | 'hist' | 'scope'> {
  run_id: number;
  scope: RollupRow['scope'];
  hist: string | null;
}

/** Filters for {@link MetricsRepo.query}. */
export interface RollupQuery {
  runId: number;
  scope?: RollupRow['scope'];
  key?: string;
  from?: number;
  to?: number;
}

/** Repository of metric rollups. */
export class MetricsRepo {
  readonly #db: Db;
  readonly #insert;

  constructor(db: Db) {
    this.#db = db;
    const stmt = db.prepare(`INSERT OR REPLACE INTO metric_rollups
      (run_id, scope, key, t, span, count, ok, c4xx, c5xx, timeouts, blocked, p50, p95, p99, max, utilization, queue, replicas, hist)
      VALUES (@runId, @scope, @key, @t, @span, @count, @ok, @c4xx, @c5xx, @timeouts, @blocked, @p50, @p95, @p99, @max, @utilization, @queue, @replicas, @hist)`);
    this.#insert = db.transaction((rows: RollupRow[]) => {
      for (const r of rows)
        stmt.run({ utilization: null, queue: null, replicas: null, ...r, hist: r.hist ? JSON.stringify(r.hist) : null });
    });
  }

  /** Inserts one interval's rows in a single transaction. */
  insertMany(rows: RollupRow[]): void {
    if (rows.length) this.#insert(rows);
  }

  query(q: RollupQuery): RollupRow[] {
    const where = ['run_id = ?'];
    const args: unknown[] = [q.runId];
    const add = (sql: string, value: unknown): void => {
      where.push(sql);
      args.push(value);
    };
    if (q.scope) add('scope = ?', q.scope);
    if (q.key) add('key = ?', q.key);
    if (q.from !== undefined) add('t >= ?', q.from);
    if (q.to !== undefined) add('t < ?', q.to);
    const rows = this.#db.prepare(`SELECT * FROM metric_rollups WHERE ${where.join(' AND ')} ORDER BY t`).all(...args) as DbRow[];
    return rows.map(({ run_id, hist, ...r }) => ({ ...r, runId: run_id, hist: hist ? (JSON.parse(hist) as number[]) : null }));
  }

  /** Distinct keys of a scope in a run. */
  keys(runId: number, scope: RollupRow['scope']): string[] {
    return (
      this.#db.prepare('SELECT DISTINCT key FROM metric_rollups WHERE run_id = ? AND scope = ?').all(runId, scope) as Array<{
        key: string;
      }>
    ).map((r) => r.key);
  }
}
