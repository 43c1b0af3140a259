/**
 * A signal watcher on one NATS connection, as a separate service would run it: it watches the KV
 * bucket, validates every value against the typing the record carries (or the last one it saw for
 * that key), keeps the last good value when a bad one arrives, applies good ones and reports when
 * it did — the measurement behind `signal.applied`. Cells use it; so does the OpenFeature provider.
 */
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { QueuedIterator } from '@nats-io/nats-core';
import { SIGNALS_BUCKET } from '../bus/index.ts';
import { drop } from '../errors.ts';
import { decodeSignal, type SignalAuthor, type WireSpec } from './codec.ts';
import type { AppliedReport } from './propagation.ts';
import { recordError, type SignalValue } from './types.ts';

/** A good value of a signal, as a watcher sees it. */
export interface SignalChange {
  key: string;
  value: SignalValue;
  revision: number;
  author: SignalAuthor;
  /** When it was written (the writer's clock), 0 when another tool wrote a plain value. */
  at: number;
  note?: string;
  /** Its typing at this revision (rollout and targeting included). */
  wire: WireSpec;
}

/** Options of {@link SignalSubscriber.open}. */
export interface SubscriberOptions {
  /** Subscriber id in propagation reports, e.g. `cell:catalog`. */
  id: string;
  /** KV key filter in NATS syntax (default `>`: every signal). */
  filter?: string;
  /** Keys honoured; other keys the filter matches are ignored. Default: all of them. */
  keys?: readonly string[];
  /** Applies a good value; return false when the subscriber does not honour this key. */
  apply?: (change: SignalChange) => boolean | void;
  /** Told after each live change was applied (not for the values found at start). */
  onApplied?: (report: AppliedReport) => void;
  /** Told when a bad value was refused (the last good one stays). */
  onRefused?: (key: string, revision: number, reason: string) => void;
  /** Time source for `appliedAt` (default `Date.now`); pass the engine clock in-process. */
  now?: () => number;
  bucket?: string;
}

/** A running watcher of signals on one connection. */
export class SignalSubscriber {
  readonly id: string;
  readonly #opts: SubscriberOptions;
  readonly #now: () => number;
  readonly #current = new Map<string, SignalChange>();
  /** Last typing seen per key: validates plain values other tools write without one. */
  readonly #wire = new Map<string, WireSpec>();
  #watcher: QueuedIterator<KvWatchEntry> | undefined;
  #initial = true;

  private constructor(options: SubscriberOptions) {
    this.id = options.id;
    this.#opts = options;
    this.#now = options.now ?? Date.now;
  }

  /** Starts watching; resolves once the values present at start have been applied. */
  static async open(nc: NatsConnection, options: SubscriberOptions): Promise<SignalSubscriber> {
    const sub = new SignalSubscriber(options);
    const kv = await new Kvm(nc).open(options.bucket ?? SIGNALS_BUCKET);
    await sub.#start(kv);
    return sub;
  }

  /** The current good value of a key, if any. */
  get(key: string): SignalChange | undefined {
    return this.#current.get(key);
  }

  /** Every current good value. */
  entries(): SignalChange[] {
    return [...this.#current.values()];
  }

  /** Stops watching. */
  stop(): void {
    this.#watcher?.stop();
  }

  async #start(kv: KV): Promise<void> {
    const filter = this.#opts.filter ?? '>';
    const watcher = await kv.watch({ key: filter });
    this.#watcher = watcher;
    let loaded!: () => void;
    const ready = new Promise<void>((resolve) => (loaded = resolve));
    const loop = async (): Promise<void> => {
      for await (const entry of watcher) {
        this.#onEntry(entry);
        if (this.#initial && entry.delta === 0) {
          this.#initial = false;
          loaded();
        }
      }
      loaded();
    };
    drop(loop());
    // With nothing stored under the filter no entry comes to end the initial phase: ask.
    drop(
      (async () => {
        for await (const _ of await kv.keys(filter)) return;
        this.#initial = false;
        loaded();
      })(),
    );
    await ready;
  }

  #onEntry(entry: KvWatchEntry): void {
    const key = entry.key;
    if (entry.operation !== 'PUT') return; // a delete keeps the last good value (the engine restores it)
    if (this.#opts.keys && !this.#opts.keys.includes(key)) return;
    const rec = decodeSignal(entry.value);
    const wire = rec?.s ?? this.#wire.get(key);
    const reason = !rec ? 'not a JSON value' : !wire ? 'no typing known for this key' : recordError(wire, rec.v);
    if (reason || !rec || !wire) {
      this.#opts.onRefused?.(key, entry.revision, reason ?? 'invalid');
      return;
    }
    this.#wire.set(key, wire);
    const change: SignalChange = { key, value: rec.v, revision: entry.revision, author: rec.by, at: rec.at, wire };
    if (rec.note) change.note = rec.note;
    this.#current.set(key, change);
    const applied = this.#opts.apply?.(change) !== false;
    if (this.#initial || !this.#opts.onApplied) return;
    const appliedAt = this.#now();
    this.#opts.onApplied({
      key,
      revision: entry.revision,
      subscriber: this.id,
      appliedAt,
      changedAt: rec.at || appliedAt,
      ...(applied ? {} : { skipped: true }),
    });
  }
}
