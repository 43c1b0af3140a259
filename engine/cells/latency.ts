/** Latency model of an operation: a lognormal fitted to its p50 and p99. */
import type { Rng } from '../clock.ts';

/** z-score of the 99th percentile of the standard normal distribution. */
export const Z99 = 2.3263478740408408;

/** Parameters of a lognormal distribution. */
export interface Lognormal {
  mu: number;
  sigma: number;
}

/** The lognormal whose median is `p50` and 99th percentile is `p99` (both ms, p99 ≥ p50 > 0). */
export function fitLognormal(p50: number, p99: number): Lognormal {
  const median = Math.max(p50, 0.001);
  const tail = Math.max(p99, median);
  return { mu: Math.log(median), sigma: (Math.log(tail) - Math.log(median)) / Z99 };
}

/** One latency sample in ms. */
export function sampleLognormal(fit: Lognormal, rng: Rng): number {
  return Math.exp(fit.mu + fit.sigma * rng.normal());
}

/** The q-quantile of a fitted lognormal (for checks and docs). */
export function lognormalQuantile(fit: Lognormal, z: number): number {
  return Math.exp(fit.mu + fit.sigma * z);
}
