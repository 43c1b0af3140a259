/**
 * Active faults of a cell, read from the event log (`fault.injected` without a later
 * `fault.cleared` of the same fault). The faults domain lands later; this works from its events.
 */
import type { EventRow } from './event-log.ts';

/** A fault the log says is running. */
export interface ActiveFault {
  id: string;
  kind: string;
  since: number;
  detail: Record<string, unknown>;
}

/** Faults injected into `cell` and not yet cleared, oldest first. */
export function activeFaults(rows: readonly EventRow[], cell: string): ActiveFault[] {
  const active = new Map<string, ActiveFault>();
  for (const { event: e, domain } of rows) {
    if (domain !== 'fault' || e.cell !== cell) continue;
    const id = typeof e.data.fault === 'string' ? e.data.fault : typeof e.data.id === 'string' ? e.data.id : e.id;
    if (e.type === 'fault.injected')
      active.set(id, { id, kind: typeof e.data.kind === 'string' ? e.data.kind : 'fault', since: e.time, detail: e.data });
    else if (e.type === 'fault.cleared') active.delete(id);
  }
  return [...active.values()];
}
