/** NATS names used by Petri: one place, so nothing else spells a subject. */

/** The JetStream stream holding every engine event. */
export const EVENTS_STREAM = 'PETRI_EVENTS';
/** Subjects captured by {@link EVENTS_STREAM}. */
export const EVENTS_SUBJECTS = 'petri.evt.>';
/** Durable consumer that persists events to SQLite. */
export const STORE_CONSUMER = 'petri-store';
/** KV bucket of signals. */
export const SIGNALS_BUCKET = 'petri-signals';

/** Subject of one event type: `cell.spawned` → `petri.evt.cell.spawned`. */
export function eventSubject(type: string): string {
  return `petri.evt.${type}`;
}

/** Subject a cell operation listens on: `petri.cell.catalog.list`. */
export function cellSubject(cell: string, op: string): string {
  return `petri.cell.${cell}.${op}`;
}

/** Wildcard covering every operation of a cell. */
export function cellWildcard(cell: string): string {
  return `petri.cell.${cell}.*`;
}

/** Queue group shared by a cell's replicas. */
export function cellQueue(cell: string): string {
  return `petri.q.${cell}`;
}

/**
 * Signal watchers in other processes (a user's service with the OpenFeature provider) announce
 * themselves and report applied changes under this prefix: `.watching`, `.applied`, `.stopped`;
 * the engine asks them to re-announce with `.hello`.
 */
export const SIGNAL_REPORTS = 'petri.signals';
