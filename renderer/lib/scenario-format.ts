/** Pure helpers of the Scenario and Runs views: verdict text, progress, scrubbing. */
import type { EventRow } from './event-log.ts';
import type { RollupView, VerdictView } from './api/index.ts';

const WORDS = { below: 'below', above: 'above', atLeast: 'at least', atMost: 'at most' } as const;

/** A figure with its unit, the way `petri run` prints it: `812 ms`, `0.0123`, `31.5 /s`. */
export function formatValue(value: number, unit: string): string {
  const n = Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 1 ? 4 : 1);
  return unit ? `${n} ${unit}` : n;
}

/** What an expectation demanded: `below 0.05`, `within 5000 ms`. */
export function formatExpected(v: VerdictView): string {
  if ('within' in v.expected) return `within ${formatValue(v.expected.within, 'ms')}`;
  return `${WORDS[v.expected.comparator]} ${formatValue(v.expected.value, v.unit)}`;
}

/** What was observed, or why nothing was. */
export function formatObserved(v: VerdictView): string {
  return v.observed === null ? 'no data' : formatValue(v.observed, v.unit);
}

/** `12.4 s / 30 s`. */
export function formatProgress(elapsedMs: number, durationMs: number): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${s(elapsedMs)} / ${s(durationMs)}`;
}

/** Where the bar is: elapsed at the last answer plus what passed since, at the engine's speed. */
export function extrapolate(elapsedMs: number, durationMs: number, speed: number, sinceMs: number): number {
  return Math.max(0, Math.min(durationMs, elapsedMs + Math.max(0, sinceMs) * speed));
}

/** Rows of a recorded run up to engine time `t` (inclusive), oldest first. */
export function rowsUpTo(rows: readonly EventRow[], t: number): EventRow[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.event.time <= t) lo = mid + 1;
    else hi = mid;
  }
  return rows.slice(0, lo);
}

/** Per route at engine time `t`: the last second recorded at or before it. */
export function routesAt(rows: readonly RollupView[], t: number): RollupView[] {
  const latest = new Map<string, RollupView>();
  for (const r of rows) if (r.t <= t && (latest.get(r.key)?.t ?? -Infinity) < r.t) latest.set(r.key, r);
  return [...latest.values()].sort((a, b) => a.key.localeCompare(b.key));
}

/** Requests per second and error share of one rollup row. */
export function rowRates(r: RollupView): { rps: number; errorRate: number } {
  const rps = r.span > 0 ? (r.count * 1000) / r.span : 0;
  return { rps, errorRate: r.count > 0 ? 1 - r.ok / r.count : 0 };
}

/** A chart table (x in seconds) of rollup rows up to engine time `until`, one column per key. */
export function rollupTable(
  rows: readonly RollupView[],
  keys: readonly string[],
  pick: (r: RollupView) => number,
  until: number,
): [number[], ...Array<Array<number | null>>] {
  const times = [...new Set(rows.filter((r) => r.t <= until).map((r) => r.t))].sort((a, b) => a - b);
  const at = new Map(rows.map((r) => [`${r.key}\n${r.t}`, r]));
  return [
    times.map((t) => t / 1000),
    ...keys.map((k) =>
      times.map((t) => {
        const r = at.get(`${k}\n${t}`);
        return r ? pick(r) : null;
      }),
    ),
  ];
}
