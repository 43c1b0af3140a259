/**
 * Propagation of signal changes: which subscribers watch a key, when each applied a revision, and
 * the summary once all of them did (or the deadline passed). Pure apart from the injected clock.
 *
 * A subscriber is one watcher on one NATS connection — a cell (its replicas share the cell's
 * connection and read the value it applied), an in-engine policy, or a user's service through the
 * OpenFeature provider. Reports may arrive before the engine itself saw the change (the watchers
 * race), so they are buffered by `key@revision` until the change is known.
 */
import type { Clock, TimerHandle } from '../clock.ts';

/** A subscriber's report that it applied (or deliberately skipped) one revision of a key. */
export interface AppliedReport {
  key: string;
  revision: number;
  subscriber: string;
  /** Time the subscriber applied it (clock of the writer's timeline, ms). */
  appliedAt: number;
  /** Time the change was written (the stored record's `at`). */
  changedAt: number;
  /** True when the subscriber matched the key but does not honour it. */
  skipped?: boolean;
}

/** How long one subscriber took. */
export interface SubscriberDelay {
  subscriber: string;
  ms: number;
}

/** The propagation of one change, as events and the API report it. */
export interface Propagation {
  key: string;
  revision: number;
  author: string;
  changedAt: number;
  /** Subscribers expected to apply it. */
  subscribers: number;
  /** Subscribers that applied it. */
  applied: number;
  complete: boolean;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  slowest: string | null;
  missing: string[];
  delays: SubscriberDelay[];
  /** When the summary was made (all applied, or the deadline). */
  doneAt: number;
}

interface Pending {
  key: string;
  revision: number;
  author: string | undefined;
  changedAt: number;
  expected: Set<string> | undefined;
  /** Expected subscribers that have not applied it yet (kept so each report costs O(1)). */
  remaining: Set<string>;
  reports: Map<string, AppliedReport>;
  created: number;
  timer: TimerHandle | undefined;
}

/** A key filter in NATS subject syntax (`catalog.>`, `*.latencyFactor`) or a list of exact keys. */
export type KeyFilter = string | readonly string[];

/** Whether a key matches a NATS-style filter. */
export function keyMatches(filter: KeyFilter, key: string): boolean {
  if (typeof filter !== 'string') return filter.includes(key);
  const f = filter.split('.');
  const k = key.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return k.length > i;
    if (i >= k.length || (f[i] !== '*' && f[i] !== k[i])) return false;
  }
  return f.length === k.length;
}

/** Nearest-rank quantile of sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Options of {@link PropagationTracker}. */
export interface TrackerOptions {
  clock: Clock;
  /** Told about every finished propagation. */
  onDone: (p: Propagation) => void;
  /** Engine ms after which a change is summarised with its missing subscribers (default 3 s). */
  deadlineMs?: number;
  /** Recent propagations kept for the API (default 50). */
  keep?: number;
}

/** Tracks subscribers and the propagation of each change. */
export class PropagationTracker {
  readonly #clock: Clock;
  readonly #onDone: (p: Propagation) => void;
  readonly #deadlineMs: number;
  readonly #keep: number;
  readonly #subscribers = new Map<string, KeyFilter>();
  readonly #pending = new Map<string, Pending>();
  readonly #recent: Propagation[] = [];

  constructor(options: TrackerOptions) {
    this.#clock = options.clock;
    this.#onDone = options.onDone;
    this.#deadlineMs = options.deadlineMs ?? 3000;
    this.#keep = options.keep ?? 50;
  }

  /** Registers (or re-registers) a subscriber; returns its unregister function. */
  register(id: string, filter: KeyFilter): () => void {
    this.#subscribers.set(id, filter);
    return () => this.unregister(id);
  }

  /** Forgets a subscriber; changes waiting only for it complete now. */
  unregister(id: string): void {
    if (!this.#subscribers.delete(id)) return;
    for (const p of [...this.#pending.values()]) {
      p.remaining.delete(id);
      if (p.expected?.delete(id)) this.#check(p);
    }
  }

  /** Ids of the subscribers watching a key. */
  subscribersOf(key: string): string[] {
    return [...this.#subscribers].filter(([, f]) => keyMatches(f, key)).map(([id]) => id);
  }

  /** Number of registered subscribers. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** A change was written: from now on its reports count against the current subscribers. */
  changed(key: string, revision: number, changedAt: number, author: string): void {
    const p = this.#entry(key, revision);
    p.author = author;
    p.changedAt = changedAt;
    const expected = new Set(this.subscribersOf(key));
    for (const [id, r] of p.reports) if (r.skipped) expected.delete(id);
    p.expected = expected;
    p.remaining = new Set([...expected].filter((id) => !p.reports.has(id)));
    // Nobody to wait for (e.g. 1,000 signals declared before any cell runs): no deadline timer.
    if (p.expected.size > 0 || p.reports.size > 0) p.timer = this.#clock.setTimeout(() => this.#finish(p), this.#deadlineMs);
    this.#check(p);
  }

  /** A subscriber applied (or skipped) a revision. */
  applied(report: AppliedReport): void {
    const p = this.#entry(report.key, report.revision);
    if (p.reports.has(report.subscriber)) return;
    p.reports.set(report.subscriber, report);
    if (report.skipped) p.expected?.delete(report.subscriber);
    p.remaining.delete(report.subscriber);
    if (p.expected) this.#check(p);
  }

  /** The most recent finished propagation, optionally of one key. */
  last(key?: string): Propagation | undefined {
    for (let i = this.#recent.length - 1; i >= 0; i--) if (!key || this.#recent[i]!.key === key) return this.#recent[i];
    return undefined;
  }

  /** Finished propagations, newest first. */
  recent(limit = this.#keep): Propagation[] {
    return this.#recent.slice(-limit).reverse();
  }

  /** Cancels every deadline (engine stop). */
  stop(): void {
    for (const p of this.#pending.values()) p.timer?.cancel();
    this.#pending.clear();
  }

  #entry(key: string, revision: number): Pending {
    const id = `${key}@${revision}`;
    let p = this.#pending.get(id);
    if (!p) {
      this.#sweep();
      p = {
        key,
        revision,
        author: undefined,
        changedAt: 0,
        expected: undefined,
        remaining: new Set(),
        reports: new Map(),
        created: this.#clock.now(),
        timer: undefined,
      };
      this.#pending.set(id, p);
    }
    return p;
  }

  /** Drops early reports whose change never came (e.g. a subscriber's initial values). */
  #sweep(): void {
    const cutoff = this.#clock.now() - this.#deadlineMs * 2;
    for (const [id, p] of this.#pending) if (!p.expected && p.created < cutoff) this.#pending.delete(id);
  }

  #check(p: Pending): void {
    if (p.expected && p.remaining.size === 0) this.#finish(p);
  }

  #finish(p: Pending): void {
    const id = `${p.key}@${p.revision}`;
    if (this.#pending.get(id) !== p) return;
    this.#pending.delete(id);
    p.timer?.cancel();
    const expected = p.expected ?? new Set<string>();
    const delays: SubscriberDelay[] = [];
    for (const r of p.reports.values()) {
      if (r.skipped) continue;
      expected.add(r.subscriber); // an unregistered watcher that applied it counts too
      delays.push({ subscriber: r.subscriber, ms: Math.max(0, (r.appliedAt - p.changedAt) / this.#clock.speed) });
    }
    delays.sort((a, b) => a.ms - b.ms);
    const ms = delays.map((d) => d.ms);
    const missing = [...expected].filter((s) => !delays.some((d) => d.subscriber === s)).sort();
    const result: Propagation = {
      key: p.key,
      revision: p.revision,
      author: p.author ?? 'external',
      changedAt: p.changedAt,
      subscribers: expected.size,
      applied: delays.length,
      complete: missing.length === 0,
      p50Ms: ms.length ? round(quantile(ms, 0.5)) : null,
      p99Ms: ms.length ? round(quantile(ms, 0.99)) : null,
      maxMs: ms.length ? round(ms[ms.length - 1]!) : null,
      slowest: delays.at(-1)?.subscriber ?? null,
      missing,
      delays: delays.map((d) => ({ subscriber: d.subscriber, ms: round(d.ms) })),
      doneAt: this.#clock.now(),
    };
    this.#recent.push(result);
    if (this.#recent.length > this.#keep) this.#recent.shift();
    this.#onDone(result);
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
