/**
 * The one source of time and randomness for the engine.
 *
 * Policies, jobs, cells and the scenario player read time and schedule work only through a
 * {@link Clock}, so tests can skip time instead of sleeping and `--speed X` can run a scenario
 * faster than the wall clock. Randomness comes from a seeded {@link Rng} so the same seed gives
 * the same decisions.
 */

/** A cancellable timer handle returned by {@link Clock.setTimeout}. */
export interface TimerHandle {
  cancel(): void;
}

/** Time source and scheduler. `now()` is milliseconds on the engine's timeline (epoch-based). */
export interface Clock {
  /** Engine time in milliseconds since the Unix epoch (accelerated when speed > 1). */
  now(): number;
  /** How many engine milliseconds pass per wall millisecond. */
  readonly speed: number;
  /** Runs `fn` after `ms` engine milliseconds. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Runs `fn` every `ms` engine milliseconds until cancelled. */
  setInterval(fn: () => void, ms: number): TimerHandle;
  /** Resolves after `ms` engine milliseconds; rejects with the signal's reason on abort. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('aborted', 'AbortError');
}

function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const onAbort = (): void => {
      handle.cancel();
      reject(abortError(signal!));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock, optionally accelerated: engine time runs `speed` times faster than real time. */
export class WallClock implements Clock {
  readonly speed: number;
  readonly #origin = Date.now();
  readonly #perfOrigin = performance.now();

  constructor(speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.speed = speed;
  }

  now(): number {
    return this.#origin + (performance.now() - this.#perfOrigin) * this.speed;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Node's timers run on the loop's millisecond clock and can fire up to a millisecond before
    // `now()` reaches the due time: never early, so a scenario step is never run before its `at`.
    const due = this.now() + Math.max(0, ms);
    let t: ReturnType<typeof globalThis.setTimeout>;
    const fire = (): void => {
      const left = due - this.now();
      if (left > 0) t = globalThis.setTimeout(fire, Math.max(1, Math.ceil(left / this.speed)));
      else fn();
    };
    t = globalThis.setTimeout(fire, Math.max(0, ms) / this.speed);
    return { cancel: () => globalThis.clearTimeout(t) };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = globalThis.setInterval(fn, Math.max(1, ms / this.speed));
    return { cancel: () => globalThis.clearInterval(t) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  every?: number;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. Tests call {@link ManualClock.advance} to skip time;
 * timers fire in time order, each seeing `now()` equal to its due time.
 */
export class ManualClock implements Clock {
  readonly speed = 1;
  #now: number;
  #seq = 0;
  #timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, Math.max(0, ms));
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    return this.#add(fn, Math.max(1, ms), Math.max(1, ms));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing due timers in order (microtasks drain between them). */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#nextDue(end);
      if (!next) break;
      this.#now = next.at;
      if (next.every !== undefined) next.at += next.every;
      else next.cancelled = true;
      next.fn();
      await flushMicrotasks();
    }
    this.#now = end;
    this.#timers = this.#timers.filter((t) => !t.cancelled);
  }

  /** Number of timers still scheduled (for tests that check nothing is left behind). */
  get pending(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  #add(fn: () => void, ms: number, every?: number): TimerHandle {
    const timer: ManualTimer = { at: this.#now + ms, seq: this.#seq++, fn, every, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  #nextDue(end: number): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const t of this.#timers) {
      if (t.cancelled || t.at > end) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/**
 * A small, fast, seeded PRNG (sfc32). `fork(label)` derives an independent stream so adding a
 * consumer of randomness in one place does not shift the numbers seen elsewhere.
 */
export class Rng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;
  readonly seed: number;

  constructor(seed: number) {
    this.seed = seed >>> 0;
    this.#a = 0x9e3779b9;
    this.#b = 0x243f6a88;
    this.#c = 0xb7e15162;
    this.#d = this.seed;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal deviate (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential deviate with the given mean. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** An independent generator derived from this seed and a label. */
  fork(label: string): Rng {
    return new Rng(hash32(`${this.seed}:${label}`));
  }
}

/** FNV-1a 32-bit hash of a string: stable bucketing and seed derivation. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
