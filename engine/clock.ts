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
  readonly #queue = new TimerQueue(this);

  constructor(speed = 1) {
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be > 0, got ${speed}`);
    this.speed = speed;
  }

  now(): number {
    return this.#origin + (performance.now() - this.#perfOrigin) * this.speed;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // As Node's setTimeout: a delay that is not a number runs at once (a NaN due time would sort
    // nowhere in the heap and hold back every timeout behind it).
    return this.#queue.add(this.now() + (ms > 0 ? ms : 0), fn);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const t = globalThis.setInterval(fn, Math.max(1, ms / this.speed));
    return { cancel: () => globalThis.clearInterval(t) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

/** One scheduled callback of a {@link TimerQueue}; `index` is its place in the heap, -1 once out. */
interface QueuedTimer {
  due: number;
  seq: number;
  fn: () => void;
  index: number;
}

/** The longest delay Node's setTimeout honours. */
const MAX_NODE_DELAY = 2 ** 31 - 1;

/**
 * The wall clock's timeouts, kept in one binary heap by due time (then by order of scheduling)
 * under a single Node timer armed for the earliest.
 *
 * One Node timer per timeout could not keep their order: Node's timers run on the loop's cached
 * millisecond and fire up to a loop iteration early, so a timeout that found itself early had to
 * re-arm, and a later one scheduled right after it could run first (two scenario verdicts due at
 * the same instant came out reversed). Here every due callback runs from the heap, in order, and
 * never before `now()` reaches its due time. A cancelled timeout leaves the heap at once, so
 * nothing it holds outlives the cancel (a request's timeout closure must not be kept alive).
 */
class TimerQueue {
  readonly #clock: WallClock;
  readonly #heap: QueuedTimer[] = [];
  #seq = 0;
  #armed: ReturnType<typeof globalThis.setTimeout> | undefined;
  #armedFor = Infinity;
  #running = false;

  constructor(clock: WallClock) {
    this.#clock = clock;
  }

  add(due: number, fn: () => void): TimerHandle {
    const t: QueuedTimer = { due, seq: this.#seq++, fn, index: this.#heap.length };
    this.#heap.push(t);
    this.#up(t.index);
    if (!this.#running && due < this.#armedFor) this.#arm();
    return { cancel: () => this.#remove(t) };
  }

  #remove(t: QueuedTimer): void {
    const i = t.index;
    if (i < 0) return;
    t.index = -1;
    const last = this.#heap.pop()!;
    if (last !== t) {
      this.#put(last, i);
      this.#down(i);
      this.#up(last.index);
    }
    // The earliest went: arm for the new earliest, or for none, so that the Node timer keeps the
    // process alive exactly while a timeout is pending (as one Node timer per timeout did).
    if (i === 0 && !this.#running) this.#arm();
  }

  #arm(): void {
    if (this.#armed !== undefined) globalThis.clearTimeout(this.#armed);
    const top = this.#heap[0];
    if (!top) {
      this.#armed = undefined;
      this.#armedFor = Infinity;
      return;
    }
    const left = top.due - this.#clock.now();
    this.#armedFor = top.due;
    // Node runs a delay over 2^31 - 1 ms after 1 ms: a far timeout re-arms from there instead.
    const wall = left > 0 ? Math.min(MAX_NODE_DELAY, Math.max(1, Math.ceil(left / this.#clock.speed))) : 0;
    this.#armed = globalThis.setTimeout(this.#fire, wall);
  }

  readonly #fire = (): void => {
    this.#armed = undefined;
    this.#armedFor = Infinity;
    this.#running = true;
    // What is scheduled while this pass runs waits for the next turn of the loop, as a Node
    // timer would: a callback that re-schedules itself at 0 ms cannot starve I/O.
    const limit = this.#seq;
    try {
      for (let top = this.#heap[0]; top && top.seq < limit && top.due <= this.#clock.now(); top = this.#heap[0]) {
        this.#remove(top);
        try {
          top.fn();
        } catch (err) {
          // As a throwing Node timer does: the error is uncaught, the other timers still run.
          process.nextTick(() => {
            throw err;
          });
        }
      }
    } finally {
      this.#running = false;
      this.#arm();
    }
  };

  #before(a: QueuedTimer, b: QueuedTimer): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #up(i: number): void {
    const h = this.#heap;
    const t = h[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!this.#before(t, parent)) break;
      this.#put(parent, i);
      i = p;
    }
    this.#put(t, i);
  }

  #down(i: number): void {
    const h = this.#heap;
    const t = h[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && this.#before(h[r]!, h[l]!) ? r : l;
      const child = h[c]!;
      if (!this.#before(child, t)) break;
      this.#put(child, i);
      i = c;
    }
    this.#put(t, i);
  }

  /** Places `t` at `i` in the heap and records where it is (a cancel finds it there). */
  #put(t: QueuedTimer, i: number): void {
    this.#heap[i] = t;
    t.index = i;
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
