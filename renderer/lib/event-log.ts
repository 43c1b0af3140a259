/**
 * The events the UI holds: the newest `capacity` events in sequence order, fed by the stream
 * (in order) and by backfills over HTTP (older, possibly overlapping). Bounded so an engine
 * emitting thousands of events a second cannot grow the page without limit.
 */
import type { PetriEvent } from '../../engine/api/events.ts';
import { eventDomain } from './api/index.ts';

/** An event with what the timeline filters on, computed once. */
export interface EventRow {
  seq: number;
  event: PetriEvent;
  domain: string;
  /** Lower-case text searched by the timeline (type, cell, data), built on first search. */
  text?: string;
}

/** The lower-case searchable text of a row. */
export function rowText(row: EventRow): string {
  row.text ??= `${row.event.type} ${row.event.cell ?? ''} ${JSON.stringify(row.event.data)}`.toLowerCase();
  return row.text;
}

/** A bounded, sequence-ordered log of events. */
export class EventLog {
  readonly capacity: number;
  #rows: EventRow[] = [];
  /** Events discarded at the front since creation (the timeline trims its view by this). */
  #evicted = 0;
  #generation = 0;

  constructor(capacity = 20_000) {
    this.capacity = capacity;
  }

  /** Rows oldest first. Do not mutate. */
  get rows(): readonly EventRow[] {
    return this.#rows;
  }

  get size(): number {
    return this.#rows.length;
  }

  /** Highest sequence held, 0 when empty. */
  get maxSeq(): number {
    return this.#rows[this.#rows.length - 1]?.seq ?? 0;
  }

  /** Lowest sequence held, 0 when empty. */
  get minSeq(): number {
    return this.#rows[0]?.seq ?? 0;
  }

  get evicted(): number {
    return this.#evicted;
  }

  /**
   * Adds events (any order, duplicates ignored); returns the rows newer than everything held
   * before, which a live view appends. Older rows (a backfill) are merged in place and bump
   * {@link generation}, which tells views to rebuild.
   */
  add(events: readonly PetriEvent[]): EventRow[] {
    const max = this.maxSeq;
    const newer: EventRow[] = [];
    const older: EventRow[] = [];
    const known = new Set<number>();
    for (const e of events) {
      const seq = e.seq;
      if (seq === undefined || known.has(seq)) continue;
      known.add(seq);
      const row: EventRow = { seq, event: e, domain: eventDomain(e.type) };
      if (seq > max) newer.push(row);
      else if (!this.#has(seq)) older.push(row);
    }
    newer.sort((a, b) => a.seq - b.seq);
    if (older.length) {
      this.#rows = [...older, ...this.#rows].sort((a, b) => a.seq - b.seq);
      this.#generation += 1;
    }
    for (const r of newer) this.#rows.push(r);
    const over = this.#rows.length - this.capacity;
    if (over > 0) {
      this.#rows.splice(0, over);
      this.#evicted += over;
    }
    const floor = this.minSeq;
    return newer[0] && newer[0].seq < floor ? newer.filter((r) => r.seq >= floor) : newer;
  }

  /** Changes whenever rows were inserted other than at the end (views rebuild then). */
  get generation(): number {
    return this.#generation;
  }

  /** Rows with a sequence above `seq`, oldest first. */
  after(seq: number): EventRow[] {
    let lo = 0;
    let hi = this.#rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#rows[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.#rows.slice(lo);
  }

  /** Forgets everything (a new run). */
  clear(): void {
    this.#evicted += this.#rows.length;
    this.#rows = [];
    this.#generation += 1;
  }

  #has(seq: number): boolean {
    let lo = 0;
    let hi = this.#rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.#rows[mid]!.seq;
      if (s === seq) return true;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
