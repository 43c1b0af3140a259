/**
 * Reading the fixed fields of a published event without parsing all of it. The publisher writes
 * `{"id":…,"time":…,"type":…,"runId":…,"cell":…,"data":…}` in that order, so the fields the events
 * table indexes are at the front of the text; only `data` (often most of it) is left as text and
 * stored as is. Anything else — an event written by another tool — takes the full JSON.parse path.
 */
import type { PetriEvent } from '../api/events.ts';

/** The indexed fields and the raw text of an event. */
export interface Envelope {
  id: string;
  time: number;
  type: string;
  runId: number | undefined;
  cell: string | undefined;
  /** The whole event as JSON text (stored as is). */
  text: string;
}

const FRONT =
  /^\{"id":"((?:[^"\\]|\\.)*)","time":(\d+(?:\.\d+)?),"type":"([a-z]+\.[a-z-]+)"(?:,"runId":(\d+))?(?:,"cell":"([a-z0-9-]+)")?,"data":/;

/** Reads an event's envelope; falls back to a full parse for unexpected shapes. */
export function readEnvelope(text: string): Envelope {
  const m = FRONT.exec(text);
  if (m)
    return { id: m[1]!, time: Number(m[2]), type: m[3]!, runId: m[4] === undefined ? undefined : Number(m[4]), cell: m[5], text };
  const e = JSON.parse(text) as Partial<PetriEvent>;
  if (typeof e.type !== 'string' || typeof e.time !== 'number') throw new SyntaxError('not a Petri event');
  return {
    id: String(e.id ?? ''),
    time: e.time,
    type: e.type,
    runId: typeof e.runId === 'number' ? e.runId : undefined,
    cell: typeof e.cell === 'string' ? e.cell : undefined,
    text: JSON.stringify({ ...e, data: e.data ?? {} }),
  };
}
