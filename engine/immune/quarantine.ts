/**
 * Quarantine: every request from a quarantined client is refused (403) until the quarantine ends
 * — released by the recycling job `expire-quarantines` when its time is up, by the user, or at once
 * when a quarantine is lifted. Active quarantines live in SQLite so they survive a restart.
 */
import { randomUUID } from 'node:crypto';
import type { EventSink } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { GatewayLayer, GatewayRequest, LayerDecision } from '../gateway/index.ts';
import type { Db } from '../store/index.ts';
import type { DecisionSink, IncidentKind } from './types.ts';

/** A quarantine as the API lists it. */
export interface QuarantineView {
  id: string;
  client: string;
  fingerprint: string;
  kind: IncidentKind;
  reason: string;
  startedAt: number;
  until: number;
}

/** Active quarantines, the layer that enforces them, and the store the recycling job uses. */
export class Quarantines implements GatewayLayer {
  readonly name = 'quarantine';
  readonly #clock: Clock;
  readonly #events: EventSink;
  readonly #db: Db;
  readonly #runId: () => number;
  readonly #byClient = new Map<string, QuarantineView>();
  #sink: DecisionSink = () => {};

  constructor(clock: Clock, events: EventSink, db: Db, runId: () => number) {
    this.#clock = clock;
    this.#events = events;
    this.#db = db;
    this.#runId = runId;
    const now = clock.now();
    const rows = db.prepare('SELECT * FROM quarantines WHERE released_at IS NULL AND until > ?').all(Math.round(now)) as Array<
      Record<string, string | number>
    >;
    for (const r of rows)
      this.#byClient.set(String(r.client), {
        id: String(r.id),
        client: String(r.client),
        fingerprint: String(r.fingerprint),
        kind: r.kind as IncidentKind,
        reason: String(r.reason),
        startedAt: Number(r.started_at),
        until: Number(r.until),
      });
  }

  /** Where refusals are reported (the response engine, for counting). */
  set sink(fn: DecisionSink) {
    this.#sink = fn;
  }

  inspect(req: GatewayRequest): LayerDecision | undefined {
    const q = this.#byClient.get(req.client);
    if (!q) return undefined;
    if (req.now >= q.until) {
      this.release(q.id, 'expired');
      return undefined;
    }
    this.#sink({
      at: req.now,
      client: req.client,
      route: req.pathway?.route,
      layer: this.name,
      action: 'block',
      reason: 'quarantined',
      evidence: { quarantine: q.id, until: q.until },
    });
    return { status: 403, layer: this.name, reason: 'Forbidden: client quarantined', blocked: true };
  }

  has(client: string): boolean {
    return this.#byClient.has(client);
  }

  /** Quarantines a client for `forMs` (a client already quarantined keeps the later end). */
  quarantine(client: string, fp: string, kind: IncidentKind, reason: string, forMs: number): QuarantineView {
    const now = this.#clock.now();
    const existing = this.#byClient.get(client);
    if (existing) {
      existing.until = Math.max(existing.until, now + forMs);
      this.#db.prepare('UPDATE quarantines SET until = ? WHERE id = ?').run(Math.round(existing.until), existing.id);
      return existing;
    }
    const q: QuarantineView = {
      id: randomUUID().slice(0, 8),
      client,
      fingerprint: fp,
      kind,
      reason,
      startedAt: now,
      until: now + forMs,
    };
    this.#byClient.set(client, q);
    this.#db
      .prepare(
        'INSERT INTO quarantines (id, run_id, client, fingerprint, kind, reason, started_at, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(q.id, this.#runId(), client, fp, kind, reason, Math.round(now), Math.round(q.until));
    this.#events.emit('immune.quarantined', { id: q.id, client, kind, reason, forMs, until: Math.round(q.until) });
    return q;
  }

  /** Ends a quarantine; false when it was not active. */
  release(id: string, reason: 'expired' | 'released' | 'user' | 'scenario-start' = 'released'): boolean {
    const q = [...this.#byClient.values()].find((x) => x.id === id);
    if (!q) return false;
    this.#byClient.delete(q.client);
    const now = this.#clock.now();
    this.#db.prepare('UPDATE quarantines SET released_at = ?, release_reason = ? WHERE id = ?').run(Math.round(now), reason, id);
    this.#events.emit('immune.released', { id, client: q.client, reason, afterMs: Math.round(now - q.startedAt) });
    return true;
  }

  /** Quarantines whose time is up (the recycling job `expire-quarantines` releases them). */
  expired(now: number): Array<{ id: string; client: string; until: number }> {
    return [...this.#byClient.values()]
      .filter((q) => q.until <= now)
      .map((q) => ({ id: q.id, client: q.client, until: q.until }));
  }

  list(): QuarantineView[] {
    return [...this.#byClient.values()].sort((a, b) => b.startedAt - a.startedAt);
  }
}
