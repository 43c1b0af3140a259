/** Retry policy of a cell's downstream calls: exponential backoff with jitter and a retry budget. */
import type { Rng } from '../clock.ts';
import type { ResilienceSpec } from '../organism/index.ts';

/** Delay before retry number `attempt` (1-based): base·2^(attempt−1), capped, minus random jitter. */
export function backoffDelay(attempt: number, spec: ResilienceSpec['retryBackoff'], rng: Rng): number {
  const raw = Math.min(spec.maxMs, spec.baseMs * 2 ** (attempt - 1));
  return raw * (1 - spec.jitter * rng.next());
}

/**
 * A retry budget (as in Finagle and Envoy): retries may be at most `ratio` of first attempts in a
 * 10 s window, plus `minPerSecond` so a quiet cell can still retry.
 */
export class RetryBudget {
  readonly #ratio: number;
  readonly #minPerSecond: number;
  /** Ten one-second buckets: [second, first attempts, retries]. */
  #buckets: Array<[number, number, number]> = [];

  constructor(spec: { ratio: number; minPerSecond: number }) {
    this.#ratio = spec.ratio;
    this.#minPerSecond = spec.minPerSecond;
  }

  /** Records a first attempt. */
  request(now: number): void {
    this.#bucket(now)[1]++;
  }

  /** Takes a retry from the budget if one is left; returns whether the retry may go out. */
  tryRetry(now: number): boolean {
    const current = this.#bucket(now);
    let first = 0;
    let retries = 0;
    for (const [, f, r] of this.#buckets) {
      first += f;
      retries += r;
    }
    if (retries + 1 > this.#ratio * first + this.#minPerSecond * 10) return false;
    current[2]++;
    return true;
  }

  #bucket(now: number): [number, number, number] {
    const second = Math.floor(now / 1000);
    while (this.#buckets.length && this.#buckets[0]![0] <= second - 10) this.#buckets.shift();
    let last = this.#buckets[this.#buckets.length - 1];
    if (!last || last[0] !== second) {
      last = [second, 0, 0];
      this.#buckets.push(last);
    }
    return last;
  }
}
