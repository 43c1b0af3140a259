/**
 * A rolling latency histogram for the cell panel: the engine hands out each second's replica
 * histograms (`[valueMs, count]` pairs); this keeps the last `seconds` of them and re-bins them
 * into a few log-spaced bins people can read at a glance.
 */

/** Upper edges of the display bins in ms; one more bin holds everything slower. */
export const LATENCY_EDGES_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** The binned window. */
export interface LatencyBins {
  /** Label of each bin (`≤1 ms`, …, `>5 s`). */
  labels: string[];
  counts: number[];
  total: number;
  p50: number;
  p99: number;
}

const label = (ms: number): string => (ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`);

/** The last N seconds of per-second histograms. */
export class LatencyWindow {
  readonly seconds: number;
  readonly #byTime = new Map<number, Array<[number, number]>>();

  constructor(seconds = 30) {
    this.seconds = seconds;
  }

  /** Adds the buckets of one second (several replicas' buckets for the same `t` are merged). */
  add(t: number, buckets: ReadonlyArray<readonly [number, number]>): void {
    const list = this.#byTime.get(t) ?? [];
    for (const [v, c] of buckets) list.push([v, c]);
    this.#byTime.set(t, list);
    const oldest = [...this.#byTime.keys()].sort((a, b) => b - a).slice(this.seconds);
    for (const k of oldest) this.#byTime.delete(k);
  }

  /** Whether second `t` was already added. */
  has(t: number): boolean {
    return this.#byTime.has(t);
  }

  clear(): void {
    this.#byTime.clear();
  }

  /** The window re-binned, with its median and p99. */
  bins(): LatencyBins {
    const counts = new Array<number>(LATENCY_EDGES_MS.length + 1).fill(0);
    const all: Array<[number, number]> = [];
    for (const list of this.#byTime.values()) for (const b of list) all.push(b);
    all.sort((a, b) => a[0] - b[0]);
    let total = 0;
    for (const [v, c] of all) {
      let i = LATENCY_EDGES_MS.findIndex((edge) => v <= edge);
      if (i === -1) i = LATENCY_EDGES_MS.length;
      counts[i]! += c;
      total += c;
    }
    const quantile = (q: number): number => {
      if (total === 0) return 0;
      const rank = Math.max(1, Math.ceil(q * total));
      let seen = 0;
      for (const [v, c] of all) {
        seen += c;
        if (seen >= rank) return v;
      }
      return all[all.length - 1]![0];
    };
    const labels = [...LATENCY_EDGES_MS.map((e) => `≤${label(e)}`), `>${label(LATENCY_EDGES_MS[LATENCY_EDGES_MS.length - 1]!)}`];
    return { labels, counts, total, p50: quantile(0.5), p99: quantile(0.99) };
  }
}
