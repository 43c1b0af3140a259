/**
 * A log-linear latency histogram in the spirit of HdrHistogram: values in microseconds, 64
 * linear sub-buckets per power of two, so any recorded value is reported within ±1.6 %.
 * Histograms merge by adding counts, which is what lets per-second rollups answer a p99 over
 * any window exactly (to bucket precision) instead of averaging percentiles.
 */

const LINEAR = 64; // values below this (µs) get their own bucket
const HALF = 32;
const MAX_SHIFT = 26; // up to 2^32 µs ≈ 71 minutes
const BUCKETS = LINEAR + MAX_SHIFT * HALF;

/** Bucket index of a value in microseconds. */
export function bucketOf(us: number): number {
  const v = Math.max(0, Math.min(Math.floor(us), 0xffffffff));
  if (v < LINEAR) return v;
  const shift = 31 - Math.clz32(v) - 5;
  return Math.min(BUCKETS - 1, LINEAR + (shift - 1) * HALF + ((v >>> shift) - HALF));
}

/** Representative value (µs) of a bucket: its midpoint. */
export function bucketValue(bucket: number): number {
  if (bucket < LINEAR) return bucket;
  const shift = Math.floor((bucket - LINEAR) / HALF) + 1;
  const sub = ((bucket - LINEAR) % HALF) + HALF;
  return sub * 2 ** shift + (2 ** shift - 1) / 2;
}

/** Sparse serialised form: `[bucket, count, bucket, count, …]`. */
export type HistogramData = number[];

/** A mergeable latency histogram. Record in milliseconds; read percentiles in milliseconds. */
export class Histogram {
  #counts = new Uint32Array(BUCKETS);
  #total = 0;
  #max = 0;
  #sum = 0;

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    this.#counts[bucketOf(us)]! += 1;
    this.#total += 1;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#total;
  }

  get max(): number {
    return this.#max;
  }

  get mean(): number {
    return this.#total === 0 ? 0 : this.#sum / this.#total;
  }

  /** The q-quantile (0..1) in milliseconds; 0 when empty. */
  quantile(q: number): number {
    if (this.#total === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#total));
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.#counts[b]!;
      if (seen >= rank) return Math.min(bucketValue(b) / 1000, this.#max);
    }
    return this.#max;
  }

  /** Number of recorded values at or below `ms` (to bucket precision): Prometheus `le` buckets. */
  countAtOrBelow(ms: number): number {
    const limit = bucketOf(ms * 1000);
    let n = 0;
    for (let b = 0; b <= limit && b < BUCKETS; b++) n += this.#counts[b]!;
    return n;
  }

  /** Adds another histogram's counts into this one. */
  merge(other: Histogram): this {
    for (let b = 0; b < BUCKETS; b++) this.#counts[b]! += other.#counts[b]!;
    this.#total += other.#total;
    this.#sum += other.#sum;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /** Adds serialised counts (from {@link Histogram.toData}) into this one. */
  mergeData(data: HistogramData, max?: number, sum = 0): this {
    let top = -1;
    for (let i = 0; i + 1 < data.length; i += 2) {
      const b = data[i]!;
      const c = data[i + 1]!;
      if (b < 0 || b >= BUCKETS) continue;
      this.#counts[b]! += c;
      this.#total += c;
      if (c > 0 && b > top) top = b;
    }
    this.#sum += sum;
    // Without the recorded max, the highest non-empty bucket bounds it (quantiles cap at max:
    // a default of 0 made every quantile of merged stored data 0).
    const bound = max ?? (top >= 0 ? bucketValue(top) / 1000 : 0);
    if (bound > this.#max) this.#max = bound;
    return this;
  }

  /** Sparse `[bucket, count, …]` pairs of non-empty buckets. */
  toData(): HistogramData {
    const out: number[] = [];
    for (let b = 0; b < BUCKETS; b++) {
      const c = this.#counts[b]!;
      if (c > 0) out.push(b, c);
    }
    return out;
  }

  /** Buckets for charts: `[upperMs, count]` of non-empty buckets in order. */
  toBuckets(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let b = 0; b < BUCKETS; b++) {
      const c = this.#counts[b]!;
      if (c > 0) out.push([bucketValue(b) / 1000, c]);
    }
    return out;
  }

  get sum(): number {
    return this.#sum;
  }

  reset(): void {
    this.#counts.fill(0);
    this.#total = 0;
    this.#sum = 0;
    this.#max = 0;
  }
}
