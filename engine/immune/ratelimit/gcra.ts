/**
 * GCRA (the generic cell rate algorithm, as in nginx's limit_req and Envoy's local rate limiter):
 * one timestamp per key — the theoretical arrival time — so it is exact and O(1) per request.
 * A request conforms when it arrives no earlier than TAT − burst tolerance. Pure: time is passed in.
 */

/** The verdict on one request. */
export interface GcraResult {
  allowed: boolean;
  /** When a refused request may be retried (ms from now). */
  retryAfterMs: number;
  /** Requests that could still pass right now. */
  remaining: number;
}

/** A GCRA limiter over many keys, with live-changeable rate and burst. */
export class Gcra {
  #intervalMs: number;
  #toleranceMs: number;
  #burst: number;
  readonly #tat = new Map<string, number>();

  constructor(rps: number, burst: number) {
    this.#intervalMs = 1000 / rps;
    this.#burst = burst;
    this.#toleranceMs = this.#intervalMs * Math.max(0, burst - 1);
  }

  /** Changes the rate and burst; keys keep their state. */
  configure(rps: number, burst: number): void {
    this.#intervalMs = 1000 / rps;
    this.#burst = burst;
    this.#toleranceMs = this.#intervalMs * Math.max(0, burst - 1);
  }

  get rps(): number {
    return 1000 / this.#intervalMs;
  }

  get burst(): number {
    return this.#burst;
  }

  /** Takes one request for `key` at time `now` (ms). */
  take(key: string, now: number): GcraResult {
    const tat = Math.max(this.#tat.get(key) ?? now, now);
    const allowAt = tat - this.#toleranceMs;
    if (now < allowAt) return { allowed: false, retryAfterMs: allowAt - now, remaining: 0 };
    const next = tat + this.#intervalMs;
    this.#tat.set(key, next);
    return { allowed: true, retryAfterMs: 0, remaining: Math.floor((now - (next - this.#toleranceMs)) / this.#intervalMs) + 1 };
  }

  /** Forgets keys idle for longer than the burst takes to refill (bounded memory). */
  sweep(now: number): void {
    for (const [key, tat] of this.#tat) if (tat < now) this.#tat.delete(key);
  }

  get size(): number {
    return this.#tat.size;
  }
}
