/**
 * Immune memory: fingerprints of clients that were contained, kept in SQLite across runs and
 * restarts. A returning offender is put on probation — burst 1 and escalation at its first
 * offence — so a second attack from the same fingerprint is contained much faster.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Db } from '../store/index.ts';

/**
 * A client's fingerprint: its address and the shape of its requests (header names in order and
 * the User-Agent family), so an address reused by a differently-behaving client does not match.
 */
export function fingerprint(client: string, headers: IncomingHttpHeaders): string {
  const names = Object.keys(headers)
    .filter((h) => !h.startsWith('x-petri-') && h !== 'content-length' && h !== 'authorization' && h !== 'cookie')
    .join(',');
  const ua = String(headers['user-agent'] ?? '').replace(/[\d.]+/g, '');
  return createHash('sha256').update(`${client}|${names}|${ua}`).digest('base64url').slice(0, 22);
}

/** A remembered offender. */
export interface Memory {
  fingerprint: string;
  client: string;
  kind: string;
  firstAt: number;
  lastAt: number;
  times: number;
}

/** The memory, mirrored in RAM for the request path. */
export class ImmuneMemory {
  readonly #db: Db;
  readonly #known = new Map<string, Memory>();
  /** Per-address cache of the last fingerprint computed (header shapes rarely change). */
  readonly #lastFp = new Map<string, { names: string; fp: string }>();

  constructor(db: Db) {
    this.#db = db;
    const rows = db.prepare('SELECT fingerprint, client, kind, first_at, last_at, times FROM immune_memory').all() as Array<
      Record<string, string | number>
    >;
    for (const r of rows)
      this.#known.set(String(r.fingerprint), {
        fingerprint: String(r.fingerprint),
        client: String(r.client),
        kind: String(r.kind),
        firstAt: Number(r.first_at),
        lastAt: Number(r.last_at),
        times: Number(r.times),
      });
  }

  /** The fingerprint of a request, cached per address while its header shape stays the same. */
  fingerprintOf(client: string, headers: IncomingHttpHeaders): string {
    const names = Object.keys(headers).join(',') + String(headers['user-agent'] ?? '');
    const cached = this.#lastFp.get(client);
    if (cached && cached.names === names) return cached.fp;
    const fp = fingerprint(client, headers);
    if (this.#lastFp.size > 100_000) this.#lastFp.clear();
    this.#lastFp.set(client, { names, fp });
    return fp;
  }

  /** The memory of a fingerprint, if it was contained before. */
  recall(fp: string): Memory | undefined {
    return this.#known.get(fp);
  }

  /** Records a containment. */
  remember(fp: string, client: string, kind: string, now: number): Memory {
    const prev = this.#known.get(fp);
    const m: Memory = prev
      ? { ...prev, lastAt: now, times: prev.times + 1, kind }
      : { fingerprint: fp, client, kind, firstAt: now, lastAt: now, times: 1 };
    this.#known.set(fp, m);
    this.#db
      .prepare(
        `INSERT INTO immune_memory (fingerprint, client, kind, first_at, last_at, times) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(fingerprint) DO UPDATE SET kind = excluded.kind, last_at = excluded.last_at, times = immune_memory.times + 1`,
      )
      .run(fp, client, kind, Math.round(m.firstAt), Math.round(now), m.times);
    return m;
  }

  /** Forgets a fingerprint (the UI's "forgive"). */
  forget(fp: string): boolean {
    this.#db.prepare('DELETE FROM immune_memory WHERE fingerprint = ?').run(fp);
    return this.#known.delete(fp);
  }

  list(): Memory[] {
    return [...this.#known.values()].sort((a, b) => b.lastAt - a.lastAt);
  }
}
