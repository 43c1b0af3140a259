/** Events in SQLite: batched inserts and the queries the API, reports and scenarios need. */
import type { PetriEvent } from '../api/events.ts';
import type { Db } from './db.ts';
import type { Envelope } from './envelope.ts';

const MANY = 64;

/** Filters for {@link EventsRepo.query}. */
export interface EventQuery {
  runId?: number;
  afterSeq?: number;
  beforeSeq?: number;
  from?: number;
  to?: number;
  types?: string[];
  domain?: string;
  cell?: string;
  text?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

interface Row {
  seq: number;
  run_id: number | null;
  time: number;
  type: string;
  cell: string | null;
  data: string;
}

function fromRow(r: Row): PetriEvent {
  const parsed = JSON.parse(r.data) as { id?: string; data?: Record<string, unknown> };
  const e: PetriEvent = { seq: r.seq, id: parsed.id ?? String(r.seq), time: r.time, type: r.type, data: parsed.data ?? {} };
  if (r.run_id !== null) e.runId = r.run_id;
  if (r.cell !== null) e.cell = r.cell;
  return e;
}

function whereClause(q: EventQuery): { sql: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    where.push(sql);
    args.push(...values);
  };
  if (q.runId !== undefined) add('run_id = ?', q.runId);
  if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
  if (q.beforeSeq !== undefined) add('seq < ?', q.beforeSeq);
  if (q.from !== undefined) add('time >= ?', q.from);
  if (q.to !== undefined) add('time < ?', q.to);
  if (q.types?.length) add(`type IN (${q.types.map(() => '?').join(',')})`, ...q.types);
  if (q.domain) add('type LIKE ?', `${q.domain}.%`);
  if (q.cell) add('cell = ?', q.cell);
  if (q.text) add('(type LIKE ? OR data LIKE ?)', `%${q.text}%`, `%${q.text}%`);
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

/** Repository of persisted events. */
export class EventsRepo {
  readonly #db: Db;
  readonly #insert;

  constructor(db: Db) {
    this.#db = db;
    const sql = (rows: number): string =>
      `INSERT OR IGNORE INTO events (seq, run_id, time, type, cell, data) VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ')}`;
    const one = db.prepare(sql(1));
    // Multi-row statements: one statement step per 64 rows instead of one per row.
    const many = db.prepare(sql(MANY));
    const args: unknown[] = new Array(MANY * 6);
    this.#insert = db.transaction((rows: Array<Envelope & { seq: number }>) => {
      let i = 0;
      for (; i + MANY <= rows.length; i += MANY) {
        for (let j = 0; j < MANY; j++) {
          const r = rows[i + j]!;
          const k = j * 6;
          args[k] = r.seq;
          args[k + 1] = r.runId ?? null;
          args[k + 2] = r.time;
          args[k + 3] = r.type;
          args[k + 4] = r.cell ?? null;
          args[k + 5] = r.text;
        }
        many.run(...args);
      }
      for (; i < rows.length; i++) {
        const r = rows[i]!;
        one.run(r.seq, r.runId ?? null, r.time, r.type, r.cell ?? null, r.text);
      }
    });
  }

  /** Inserts stored envelopes in one transaction; duplicates (same seq) are ignored. */
  insertEnvelopes(rows: Array<Envelope & { seq: number }>): void {
    this.#insert(rows);
  }

  /** Inserts events (tests, imports) in one transaction; duplicates (same seq) are ignored. */
  insertMany(events: PetriEvent[]): void {
    this.#insert(
      events.map((e) => ({
        seq: e.seq ?? 0,
        id: e.id,
        time: e.time,
        type: e.type,
        runId: e.runId,
        cell: e.cell,
        text: JSON.stringify(e),
      })),
    );
  }

  query(q: EventQuery = {}): PetriEvent[] {
    const { sql, args } = whereClause(q);
    const order = q.order === 'desc' ? 'DESC' : 'ASC';
    const rows = this.#db.prepare(`SELECT seq, run_id, time, type, cell, data FROM events ${sql} ORDER BY seq ${order} LIMIT ?`);
    return (rows.all(...args, q.limit ?? 1000) as Row[]).map(fromRow);
  }

  /** Number of events matching the filters. */
  count(q: EventQuery): number {
    const { sql, args } = whereClause(q);
    return (this.#db.prepare(`SELECT COUNT(*) AS n FROM events ${sql}`).get(...args) as { n: number }).n;
  }

  /** Highest stored sequence, 0 when empty. */
  maxSeq(): number {
    return (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM events').get() as { m: number }).m;
  }

  total(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  }
}
