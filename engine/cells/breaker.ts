/**
 * A circuit breaker per downstream: opens when the error ratio over a rolling window crosses a
 * threshold (with a minimum number of requests), stays open for `openForMs`, then lets a few
 * probes through (half-open): all succeed → closed, any fails → open again. Pure: time comes in
 * as arguments.
 */
import type { BreakerSpec } from '../organism/index.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

const BUCKETS = 10;

/** Rolling-window circuit breaker. */
export class CircuitBreaker {
  readonly spec: BreakerSpec;
  #state: BreakerState = 'closed';
  #openedAt = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #buckets: Array<{ start: number; ok: number; fail: number }> = [];
  onChange: (state: BreakerState, info: { errorRatio: number; requests: number }) => void = () => {};

  constructor(spec: BreakerSpec) {
    this.spec = spec;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a call may go out now. A `true` in half-open reserves a probe slot. */
  allow(now: number): boolean {
    if (this.#state === 'open' && now - this.#openedAt >= this.spec.openForMs) this.#set('half-open', now);
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') return false;
    if (this.#probesInFlight >= this.spec.halfOpenProbes) return false;
    this.#probesInFlight++;
    return true;
  }

  /** Records the outcome of a call that {@link allow} let through. */
  record(ok: boolean, now: number): void {
    if (this.#state === 'half-open') {
      this.#probesInFlight = Math.max(0, this.#probesInFlight - 1);
      if (!ok) return this.#open(now);
      if (++this.#probeSuccesses >= this.spec.halfOpenProbes) this.#set('closed', now);
      return;
    }
    if (this.#state === 'open') return;
    const bucket = this.#bucket(now);
    if (ok) bucket.ok++;
    else bucket.fail++;
    const { requests, errorRatio } = this.window(now);
    if (!ok && requests >= this.spec.minRequests && errorRatio >= this.spec.errorRatio) this.#open(now);
  }

  /** Requests and error ratio in the rolling window ending at `now`. */
  window(now: number): { requests: number; errorRatio: number } {
    this.#expire(now);
    let ok = 0;
    let fail = 0;
    for (const b of this.#buckets) {
      ok += b.ok;
      fail += b.fail;
    }
    const requests = ok + fail;
    return { requests, errorRatio: requests === 0 ? 0 : fail / requests };
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#set('open', now);
  }

  #set(state: BreakerState, now: number): void {
    if (state === this.#state) return;
    const info = this.window(now);
    this.#state = state;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    if (state === 'closed') this.#buckets = [];
    this.onChange(state, info);
  }

  #bucket(now: number): { start: number; ok: number; fail: number } {
    this.#expire(now);
    const width = this.spec.windowMs / BUCKETS;
    const start = Math.floor(now / width) * width;
    let last = this.#buckets[this.#buckets.length - 1];
    if (!last || last.start !== start) {
      last = { start, ok: 0, fail: 0 };
      this.#buckets.push(last);
    }
    return last;
  }

  #expire(now: number): void {
    const cutoff = now - this.spec.windowMs;
    while (this.#buckets.length && this.#buckets[0]!.start + this.spec.windowMs / BUCKETS <= cutoff) this.#buckets.shift();
  }
}
