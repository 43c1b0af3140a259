/** Workload traces: per-minute request counts, their outage gaps, scaling to a target rate. */
export {
  detectGaps,
  makeTrace,
  minuteOfDay,
  parseTraceCsv,
  peakCount,
  scaleToPeak,
  sliceTrace,
  type GapOptions,
  type MinuteRange,
  type Trace,
  type TraceMeta,
} from './trace.ts';
export { loadTrace, TRACES_DIR } from './load.ts';
