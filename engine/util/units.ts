/** Parsing of the manifest's human units: durations (`250ms`, `10s`, `5m`, `1h`) and rates (`40/s`). */

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const RATE = /^(\d+(?:\.\d+)?)\/(s|m)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Milliseconds in a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Requests per second in a rate string (`40/s`, `600/m`), or undefined when it is not one. */
export function parseRate(text: string): number | undefined {
  const m = RATE.exec(text.trim());
  if (!m) return undefined;
  return m[2] === 's' ? Number(m[1]) : Number(m[1]) / 60;
}

/** Formats milliseconds the way the manifest writes them. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The pattern a duration string must match (used in JSON Schemas). */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h)$';
/** The pattern a rate string must match (used in JSON Schemas). */
export const RATE_PATTERN = '^\\d+(\\.\\d+)?/(s|m)$';
