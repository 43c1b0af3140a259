/** The timeline's filter: domains, one cell, free text. Pure, shared by the view and its tests. */
import { EVENT_TYPES, eventDomain } from './api/index.ts';
import { rowText, type EventRow } from './event-log.ts';

/** Domains of the known event types, in catalogue order. */
export const KNOWN_DOMAINS: readonly string[] = [...new Set(EVENT_TYPES.map((t) => eventDomain(t)))];

/** A timeline filter; empty fields match everything. */
export interface EventFilter {
  domains: readonly string[];
  cell: string;
  query: string;
}

/** A predicate for a filter (the query is matched case-insensitively against type, cell and data). */
export function eventMatcher(filter: EventFilter): (row: EventRow) => boolean {
  const domains = filter.domains.length ? new Set(filter.domains) : undefined;
  const cell = filter.cell;
  const q = filter.query.trim().toLowerCase();
  return (row) => (!domains || domains.has(row.domain)) && (!cell || row.event.cell === cell) && (!q || rowText(row).includes(q));
}

/** A key that changes whenever the filter does. */
export function filterKey(filter: EventFilter): string {
  return JSON.stringify([[...filter.domains].sort(), filter.cell, filter.query.trim().toLowerCase()]);
}
