/**
 * The engine's event-loop delay: how late a 1 ms timer fires. The gateway, every cell and the
 * persister share this loop, so this is the queueing every request pays before its code runs.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

let histogram: IntervalHistogram | undefined;

/** Starts measuring (idempotent). */
export function watchLoopDelay(): void {
  if (histogram) return;
  histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
}

/** Quantiles since the start, in seconds; undefined before {@link watchLoopDelay}. */
export function loopDelaySeconds(): { p50: number; p99: number; max: number; sum: number; count: number } | undefined {
  if (!histogram || histogram.count === 0) return undefined;
  return {
    p50: histogram.percentile(50) / 1e9,
    p99: histogram.percentile(99) / 1e9,
    max: histogram.max / 1e9,
    sum: (histogram.mean * histogram.count) / 1e9,
    count: histogram.count,
  };
}
