/**
 * Figures of the Immune view, read from the event log: requests refused by layer and by class, and
 * how quickly an incident's clients were contained. Pure.
 */
import type { IncidentView, QuarantineView } from '../../engine/api/schema.ts';
import type { EventRow } from './event-log.ts';

/** A label and how many requests it covers. */
export interface Tally {
  key: string;
  count: number;
}

const sorted = (m: Map<string, number>): Tally[] =>
  [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

/**
 * Refused requests (`immune.blocked` and `immune.throttled`; each event counts `data.count`
 * requests, 1 when absent) by the layer that refused them and by class (incident kind, or the
 * WAF's payload class when it named one).
 */
export function refusedBy(rows: readonly EventRow[]): { layers: Tally[]; classes: Tally[]; total: number } {
  const layers = new Map<string, number>();
  const classes = new Map<string, number>();
  let total = 0;
  for (const { event: e } of rows) {
    if (e.type !== 'immune.blocked' && e.type !== 'immune.throttled') continue;
    const n = typeof e.data.count === 'number' && e.data.count > 0 ? e.data.count : 1;
    const layer = typeof e.data.layer === 'string' ? e.data.layer : 'unknown';
    const evidence = (e.data.evidence ?? {}) as Record<string, unknown>;
    const wafClass = Array.isArray(evidence.classes) && typeof evidence.classes[0] === 'string' ? evidence.classes[0] : undefined;
    const cls =
      wafClass ?? (typeof e.data.kind === 'string' ? e.data.kind : layer === 'quarantine' ? 'quarantined client' : layer);
    layers.set(layer, (layers.get(layer) ?? 0) + n);
    classes.set(cls, (classes.get(cls) ?? 0) + n);
    total += n;
  }
  return { layers: sorted(layers), classes: sorted(classes), total };
}

/** When each client was first quarantined, from `immune.quarantined` events and active quarantines. */
export function firstQuarantines(rows: readonly EventRow[], active: readonly QuarantineView[]): Map<string, number> {
  const first = new Map<string, number>();
  const note = (client: string, t: number): void => {
    const had = first.get(client);
    if (had === undefined || t < had) first.set(client, t);
  };
  for (const { event: e } of rows)
    if (e.type === 'immune.quarantined' && typeof e.data.client === 'string') note(e.data.client, e.time);
  for (const q of active) note(q.client, q.startedAt);
  return first;
}

/**
 * How long after the incident opened its last client was quarantined (0 when all were already);
 * undefined while some client is not quarantined.
 */
export function containedInMs(incident: IncidentView, quarantinedAt: ReadonlyMap<string, number>): number | undefined {
  if (incident.clients.length === 0) return undefined;
  let last = -Infinity;
  for (const c of incident.clients) {
    const t = quarantinedAt.get(c);
    if (t === undefined) return undefined;
    last = Math.max(last, t);
  }
  return Math.max(0, Math.round(last - incident.openedAt));
}

/** Evidence of an incident as short lines: `127.2.1.1 · connections: more than 64 open connections`. */
export function evidenceLines(incident: IncidentView): string[] {
  return incident.evidence.map((ev) => {
    const who = typeof ev.client === 'string' ? `${ev.client} · ` : '';
    const layer = typeof ev.layer === 'string' ? `${ev.layer}: ` : '';
    const reason = typeof ev.reason === 'string' ? ev.reason : JSON.stringify(ev);
    return `${who}${layer}${reason}`;
  });
}
