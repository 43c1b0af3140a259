/** Reconnect delays: exponential with a cap and jitter, so many tabs do not retry in step. */

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** First delay in ms. */
  baseMs: number;
  /** Longest delay in ms. */
  maxMs: number;
  /** Share of the delay that is random (0..1). */
  jitter: number;
}

/** Defaults: 250 ms, doubling, at most 5 s — the engine usually comes back within seconds. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5000, jitter: 0.3 };

/** Delay before reconnect attempt `attempt` (0-based). `random` returns [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random = Math.random): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  const spread = exp * options.jitter;
  return Math.round(exp - spread + random() * spread);
}
