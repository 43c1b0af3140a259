/**
 * Per-minute workload traces (`minute_index,requests` CSV, see fixtures/traces/SOURCES.md): parsing,
 * outage-gap detection and scaling to the request rate an organism needs.
 *
 * Pure: no file system here (see load.ts), so the simulator, the forecaster's training script and
 * the traffic generator can share it.
 */
import { ValidationError, type Issue } from '../errors.ts';

/** A half-open range of minutes `[start, end)`. */
export interface MinuteRange {
  start: number;
  end: number;
}

/** Where a trace's minute 0 is in time, so consumers can derive the local time of day. */
export interface TraceMeta {
  /** Epoch milliseconds of minute 0. */
  startMs: number;
  /** Offset of the trace's local time from UTC in minutes (EDT = -240). */
  utcOffsetMinutes: number;
}

/** A per-minute request count series with its outage gaps. */
export interface Trace extends TraceMeta {
  name: string;
  /** Requests in each minute. */
  counts: Float64Array;
  /** Outages: minutes that are missing data, not zero demand. Sorted, disjoint. */
  gaps: MinuteRange[];
  /** 1 where the minute is real data, 0 inside a gap. */
  valid: Uint8Array;
}

/** How outages are told apart from quiet minutes. */
export interface GapOptions {
  /**
   * A run of at least this many consecutive zero-request minutes is an outage (default 20). The
   * NASA server never sees 20 silent minutes outside outages: the longest quiet run in July is
   * 22 minutes, on launch day, when the log itself stops.
   */
  minZeroRun?: number;
  /**
   * Outages closer than this many minutes merge, with the minutes between them (default 60): a
   * server coming back flickers (August: 7 minutes of trickle between a 2,263- and a 44-minute
   * silence) and that trickle is not demand either.
   */
  mergeWithin?: number;
}

/** The local minute of the day (0–1439) of a trace minute. */
export function minuteOfDay(meta: TraceMeta, minute: number): number {
  const local = meta.startMs / 60_000 + meta.utcOffsetMinutes + minute;
  return ((Math.floor(local) % 1440) + 1440) % 1440;
}

/** Parses the CSV text of a trace. Throws a located {@link ValidationError} on bad rows. */
export function parseTraceCsv(text: string, file = 'trace.csv'): Float64Array {
  const lines = text.split(/\r?\n/);
  const issues: Issue[] = [];
  const header = lines[0]?.trim();
  if (header !== 'minute_index,requests')
    issues.push({ file, line: 1, col: 1, path: 'header', message: "expected the header 'minute_index,requests'" });
  const counts: number[] = [];
  for (let i = 1; i < lines.length && issues.length < 20; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const [idx, value, extra] = line.split(',');
    const n = Number(value);
    if (extra !== undefined || Number(idx) !== counts.length || !Number.isFinite(n) || n < 0)
      issues.push({
        file,
        line: i + 1,
        col: 1,
        path: `rows[${counts.length}]`,
        message: `expected '${counts.length},<requests ≥ 0>', got '${line}'`,
      });
    counts.push(n);
  }
  if (counts.length === 0 && issues.length === 0) issues.push({ file, line: 2, col: 1, path: 'rows', message: 'no rows' });
  if (issues.length) throw new ValidationError(issues);
  return Float64Array.from(counts);
}

/** Finds outage gaps: long runs of zero minutes, merged when they sit close together. */
export function detectGaps(counts: ArrayLike<number>, options: GapOptions = {}): MinuteRange[] {
  const minRun = options.minZeroRun ?? 20;
  const mergeWithin = options.mergeWithin ?? 60;
  const runs: MinuteRange[] = [];
  let start = -1;
  for (let i = 0; i <= counts.length; i++) {
    const zero = i < counts.length && counts[i] === 0;
    if (zero && start < 0) start = i;
    if (!zero && start >= 0) {
      if (i - start >= minRun) runs.push({ start, end: i });
      start = -1;
    }
  }
  const merged: MinuteRange[] = [];
  for (const run of runs) {
    const last = merged[merged.length - 1];
    if (last && run.start - last.end < mergeWithin) last.end = run.end;
    else merged.push({ ...run });
  }
  return merged;
}

/** Builds a {@link Trace} from counts, detecting its gaps. */
export function makeTrace(name: string, counts: Float64Array, meta: TraceMeta, gapOptions?: GapOptions): Trace {
  const gaps = detectGaps(counts, gapOptions);
  const valid = new Uint8Array(counts.length).fill(1);
  for (const g of gaps) valid.fill(0, g.start, g.end);
  return { name, counts, gaps, valid, ...meta };
}

/** The largest per-minute count outside the gaps. */
export function peakCount(trace: Trace): number {
  let peak = 0;
  for (let i = 0; i < trace.counts.length; i++) if (trace.valid[i] && trace.counts[i]! > peak) peak = trace.counts[i]!;
  return peak;
}

/**
 * Request rates (per second) for each minute, scaled so the busiest valid minute runs at
 * `peakRps`. Gap minutes are 0: replaying an outage as load would be wrong either way.
 */
export function scaleToPeak(trace: Trace, peakRps: number): Float64Array {
  const peak = peakCount(trace);
  const factor = peak > 0 ? peakRps / peak : 0;
  return trace.counts.map((c, i) => (trace.valid[i] ? c * factor : 0));
}

/** A copy of a trace restricted to minutes `[from, to)` (gaps re-based). */
export function sliceTrace(trace: Trace, from: number, to: number): Trace {
  const end = Math.min(to, trace.counts.length);
  const gaps = trace.gaps
    .map((g) => ({ start: Math.max(g.start, from) - from, end: Math.min(g.end, end) - from }))
    .filter((g) => g.end > g.start);
  return {
    ...trace,
    name: `${trace.name}[${from}:${end}]`,
    counts: trace.counts.slice(from, end),
    valid: trace.valid.slice(from, end),
    gaps,
    startMs: trace.startMs + from * 60_000,
  };
}
