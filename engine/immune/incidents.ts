/**
 * Incidents: decisions grouped by kind into what a human would call one attack — the clients
 * involved, the routes, when it opened and closed, and evidence. An incident opens when a client
 * crosses its kind's bar (e.g. ten rate-limit refusals within 5 s), gathers every client that
 * crosses it while open, and closes after a quiet period.
 */
import { randomUUID } from 'node:crypto';
import type { EventSink } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../store/index.ts';
import type { Decision, IncidentKind } from './types.ts';

/** An incident as the API lists it. */
export interface Incident {
  id: string;
  kind: IncidentKind;
  openedAt: number;
  closedAt: number | null;
  clients: string[];
  routes: string[];
  decisions: number;
  evidence: Array<Record<string, unknown>>;
}

/** How many decisions of a kind, within how long, make a client part of an incident. */
export const INCIDENT_BARS: Record<IncidentKind, { count: number; windowMs: number }> = {
  'rate-abuse': { count: 10, windowMs: 5000 },
  injection: { count: 2, windowMs: 10_000 },
  'credential-abuse': { count: 10, windowMs: 10_000 },
  anomaly: { count: 1, windowMs: 10_000 },
};

const QUIET_MS = 10_000;
const EVIDENCE_KEEP = 5;

/** Tracks open and closed incidents. */
export class IncidentTracker {
  readonly #clock: Clock;
  readonly #events: EventSink;
  readonly #db: Db;
  readonly #runId: () => number;
  readonly #open = new Map<IncidentKind, Incident & { lastAt: number }>();
  readonly #closed: Incident[] = [];
  /** Recent decision times per kind and client, for the bars. */
  readonly #recent = new Map<string, number[]>();
  #timer: { cancel(): void } | undefined;

  constructor(clock: Clock, events: EventSink, db: Db, runId: () => number) {
    this.#clock = clock;
    this.#events = events;
    this.#db = db;
    this.#runId = runId;
    this.#timer = clock.setInterval(() => this.#closeQuiet(), 1000);
  }

  /**
   * Counts a decision; returns the incident the client belongs to once it crosses the bar (or is
   * forced in, e.g. by a remembered fingerprint).
   */
  record(d: Decision, kind: IncidentKind, force = false): Incident | undefined {
    const key = `${kind}|${d.client}`;
    const bar = INCIDENT_BARS[kind];
    const times = (this.#recent.get(key) ?? []).filter((t) => t > d.at - bar.windowMs);
    times.push(d.at);
    this.#recent.set(key, times);
    const open = this.#open.get(kind);
    if (open && open.clients.includes(d.client)) {
      open.decisions++;
      open.lastAt = d.at;
      if (d.route && !open.routes.includes(d.route)) open.routes.push(d.route);
      return open;
    }
    if (!force && times.length < bar.count) return undefined;
    return open ? this.#join(open, d) : this.#openNew(kind, d, times.length);
  }

  /** Open incidents first, then the most recent closed ones. */
  list(limit = 100): Incident[] {
    return [...[...this.#open.values()].map(({ lastAt: _l, ...i }) => i), ...this.#closed.slice(-limit).reverse()];
  }

  /** The first incident of `kind` opened in [from, to) whose clients satisfy `accept`. */
  find(kind: string, from: number, to: number, accept: (clients: string[]) => boolean = () => true): Incident | undefined {
    return this.list(10_000)
      .filter((i) => i.kind === kind && i.openedAt >= from && i.openedAt < to && accept(i.clients))
      .sort((a, b) => a.openedAt - b.openedAt)[0];
  }

  stop(): void {
    this.#timer?.cancel();
    for (const kind of [...this.#open.keys()]) this.#close(kind);
  }

  #openNew(kind: IncidentKind, d: Decision, count: number): Incident {
    const incident = {
      id: randomUUID().slice(0, 8),
      kind,
      openedAt: d.at,
      closedAt: null,
      clients: [d.client],
      routes: d.route ? [d.route] : [],
      decisions: count,
      evidence: [{ client: d.client, layer: d.layer, reason: d.reason, ...d.evidence }],
      lastAt: d.at,
    };
    this.#open.set(kind, incident);
    this.#db
      .prepare(
        'INSERT INTO incidents (id, run_id, kind, opened_at, clients, routes, decisions, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        incident.id,
        this.#runId(),
        kind,
        Math.round(d.at),
        JSON.stringify(incident.clients),
        JSON.stringify(incident.routes),
        count,
        JSON.stringify(incident.evidence),
      );
    this.#events.emit('incident.opened', {
      id: incident.id,
      kind,
      clients: incident.clients,
      routes: incident.routes,
      evidence: incident.evidence[0],
    });
    return incident;
  }

  #join(open: Incident & { lastAt: number }, d: Decision): Incident {
    open.clients.push(d.client);
    open.decisions++;
    open.lastAt = d.at;
    if (d.route && !open.routes.includes(d.route)) open.routes.push(d.route);
    if (open.evidence.length < EVIDENCE_KEEP)
      open.evidence.push({ client: d.client, layer: d.layer, reason: d.reason, ...d.evidence });
    return open;
  }

  #closeQuiet(): void {
    const now = this.#clock.now();
    for (const [kind, i] of this.#open) if (now - i.lastAt >= QUIET_MS) this.#close(kind);
    for (const [key, times] of this.#recent)
      if (!times.length || times[times.length - 1]! < now - 60_000) this.#recent.delete(key);
  }

  #close(kind: IncidentKind): void {
    const i = this.#open.get(kind);
    if (!i) return;
    this.#open.delete(kind);
    const { lastAt: _l, ...incident } = i;
    incident.closedAt = this.#clock.now();
    this.#closed.push(incident);
    if (this.#closed.length > 1000) this.#closed.shift();
    this.#db
      .prepare('UPDATE incidents SET closed_at = ?, clients = ?, routes = ?, decisions = ?, evidence = ? WHERE id = ?')
      .run(
        Math.round(incident.closedAt),
        JSON.stringify(incident.clients),
        JSON.stringify(incident.routes),
        incident.decisions,
        JSON.stringify(incident.evidence),
        incident.id,
      );
    this.#events.emit('incident.closed', {
      id: incident.id,
      kind,
      clients: incident.clients.length,
      routes: incident.routes,
      decisions: incident.decisions,
      durationMs: Math.round(incident.closedAt - incident.openedAt),
    });
  }
}
