/**
 * The last few minutes of metrics frames, and the column-oriented tables uPlot draws from
 * (`[times, series1, series2, …]`, times in seconds). Pure, so chart data is unit-tested.
 */
import type { CellStats, MetricsFrame, RouteStats } from '../../engine/api/schema.ts';

/** Numeric fields of a route's stats a chart can plot. */
export type RouteField = 'rps' | 'p99' | 'p50' | 'errorRate';
/** Numeric fields of a cell's stats a chart can plot. */
export type CellField = 'replicas' | 'ready' | 'rps' | 'p99' | 'utilization' | 'errorRate';

/** uPlot's aligned data: x values, then one array per series (null where a series has no point). */
export type Table = [number[], ...Array<Array<number | null>>];

/** A bounded window of frames, oldest first. */
export class MetricsHistory {
  readonly capacity: number;
  #frames: MetricsFrame[] = [];

  constructor(capacity = 300) {
    this.capacity = capacity;
  }

  get frames(): readonly MetricsFrame[] {
    return this.#frames;
  }

  get latest(): MetricsFrame | undefined {
    return this.#frames[this.#frames.length - 1];
  }

  /**
   * Adds a frame; frames not newer than the latest are ignored (a replay after reconnect). Only
   * routes and cells are kept: replicas and edges are for the live picture, not the charts, and
   * with 100 cells they are most of a frame's size.
   */
  push(frame: MetricsFrame): boolean {
    const last = this.latest;
    if (last && frame.t <= last.t) return false;
    this.#frames.push({ t: frame.t, routes: frame.routes, cells: frame.cells, replicas: [], edges: [], streams: [] });
    if (this.#frames.length > this.capacity) this.#frames.splice(0, this.#frames.length - this.capacity);
    return true;
  }

  /** Adds many frames (the backfill from `/api/metrics`). */
  load(frames: readonly MetricsFrame[]): void {
    for (const f of frames) this.push(f);
  }

  clear(): void {
    this.#frames = [];
  }

  /** Route names seen in the window, busiest first (ties by name). */
  routes(): string[] {
    return rankKeys(this.#frames.map((f) => f.routes.map((r) => [r.route, r.count] as const)));
  }

  /** Cell names seen in the window, busiest first (ties by name). */
  cells(): string[] {
    return rankKeys(this.#frames.map((f) => f.cells.map((c) => [c.cell, c.count + c.replicas] as const)));
  }

  /** One column per route for a field. */
  routeTable(field: RouteField, routes: readonly string[]): Table {
    return this.#table(routes, routesOf, (r) => r[field]);
  }

  /** One column per cell for a field. */
  cellTable(field: CellField, cells: readonly string[]): Table {
    return this.#table(cells, cellsOf, (c) => c[field]);
  }

  #table<S>(keys: readonly string[], index: (f: MetricsFrame) => Map<string, S>, pick: (s: S) => number): Table {
    const xs: number[] = [];
    const cols: Array<Array<number | null>> = keys.map(() => []);
    for (const f of this.#frames) {
      xs.push(f.t / 1000);
      const byKey = index(f);
      keys.forEach((k, i) => {
        const s = byKey.get(k);
        cols[i]!.push(s === undefined ? null : pick(s));
      });
    }
    return [xs, ...cols];
  }
}

// Each frame's stats by name, made once per frame: the charts ask for four tables every second,
// each over up to 300 frames (with 100 cells, 30,000 map entries a table made afresh).
const routeIndex = new WeakMap<MetricsFrame, Map<string, RouteStats>>();
const cellIndex = new WeakMap<MetricsFrame, Map<string, CellStats>>();

function routesOf(f: MetricsFrame): Map<string, RouteStats> {
  let m = routeIndex.get(f);
  if (!m) routeIndex.set(f, (m = new Map(f.routes.map((r) => [r.route, r]))));
  return m;
}

function cellsOf(f: MetricsFrame): Map<string, CellStats> {
  let m = cellIndex.get(f);
  if (!m) cellIndex.set(f, (m = new Map(f.cells.map((c) => [c.cell, c]))));
  return m;
}

function rankKeys(frames: ReadonlyArray<ReadonlyArray<readonly [string, number]>>): string[] {
  const weight = new Map<string, number>();
  for (const f of frames) for (const [k, w] of f) weight.set(k, (weight.get(k) ?? 0) + w);
  return [...weight.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

/**
 * The series a chart shows: the `n` busiest, but sticky — a series stays while it is still in the
 * top 2n — and in name order, so a chart is not rebuilt (and its colours do not shuffle) every
 * time two similar series swap ranks.
 */
export function stableTop(previous: readonly string[], ranked: readonly string[], n: number): string[] {
  const contenders = new Set(ranked.slice(0, 2 * n));
  const kept = previous.filter((k) => contenders.has(k)).slice(0, n);
  for (const k of ranked) {
    if (kept.length >= n) break;
    if (!kept.includes(k)) kept.push(k);
  }
  return kept.sort((a, b) => a.localeCompare(b));
}
