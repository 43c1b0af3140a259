/**
 * Signals in the NATS KV bucket: declared with a type, validated before every write (a bad value
 * is refused and the last good one stays), each change an event with its author and revision.
 */
import type { KV } from '@nats-io/kv';
import type { EventSink } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { SignalSpec } from '../organism/index.ts';
import { decodeSignal, encodeSignal, type SignalAuthor } from './codec.ts';
import { signalValueError, type SignalValue } from './types.ts';

/** A signal as the API lists it. */
export interface SignalState {
  spec: SignalSpec;
  value: SignalValue;
  revision: number;
  author: SignalAuthor;
  at: number;
}

/** Masks the value of a secret signal. */
export function maskValue(spec: Pick<SignalSpec, 'secret'>, value: SignalValue): SignalValue {
  return spec.secret && value !== null ? '••••••' : value;
}

/** Declared signals and their current values in KV. */
export class SignalStore {
  readonly #kv: KV;
  readonly #clock: Clock;
  readonly #events: EventSink;
  readonly #specs = new Map<string, SignalSpec>();
  readonly #current = new Map<string, SignalState>();

  constructor(kv: KV, clock: Clock, events: EventSink) {
    this.#kv = kv;
    this.#clock = clock;
    this.#events = events;
  }

  /** Declares signals and writes their initial values where KV holds a different one. */
  async declare(specs: SignalSpec[], author: SignalAuthor = 'organism'): Promise<void> {
    await Promise.all(
      specs.map(async (spec) => {
        this.#specs.set(spec.key, spec);
        const entry = await this.#kv.get(spec.key);
        const stored = entry && entry.operation === 'PUT' ? decodeSignal(entry.value) : undefined;
        if (stored && JSON.stringify(stored.v) === JSON.stringify(spec.value) && entry) {
          this.#current.set(spec.key, { spec, value: stored.v, revision: entry.revision, author: stored.by, at: stored.at });
          return;
        }
        await this.#write(spec, spec.value, author);
      }),
    );
  }

  /** Forgets signals (e.g. of a removed cell); their KV entries are deleted. */
  async undeclare(keys: string[]): Promise<void> {
    for (const key of keys) {
      this.#specs.delete(key);
      this.#current.delete(key);
      await this.#kv.delete(key);
    }
  }

  has(key: string): boolean {
    return this.#specs.has(key);
  }

  spec(key: string): SignalSpec {
    const spec = this.#specs.get(key);
    if (!spec) throw new NotFoundError(`signal '${key}'`);
    return spec;
  }

  /** Current value (as last written by this engine). */
  value(key: string): SignalValue {
    return this.#current.get(key)?.value ?? this.spec(key).value;
  }

  list(): SignalState[] {
    return [...this.#specs.values()].map(
      (spec) => this.#current.get(spec.key) ?? { spec, value: spec.value, revision: 0, author: 'organism', at: 0 },
    );
  }

  /** Validates and writes a value; throws {@link ValidationError} and changes nothing if it does not fit. */
  async set(key: string, value: unknown, author: SignalAuthor): Promise<SignalState> {
    const spec = this.spec(key);
    const err = signalValueError(spec, value);
    if (err) {
      this.#events.emit('signal.refused', { key, value: maskValue(spec, value as SignalValue), reason: err, author });
      throw new ValidationError([{ path: key, message: err }]);
    }
    return this.#write(spec, value as SignalValue, author);
  }

  async #write(spec: SignalSpec, value: SignalValue, author: SignalAuthor): Promise<SignalState> {
    const at = this.#clock.now();
    const previous = this.#current.get(spec.key)?.value;
    const revision = await this.#kv.put(spec.key, encodeSignal({ v: value, by: author, at }));
    const state: SignalState = { spec, value, revision, author, at };
    this.#current.set(spec.key, state);
    this.#events.emit('signal.changed', {
      key: spec.key,
      value: maskValue(spec, value),
      previous: previous === undefined ? null : maskValue(spec, previous),
      revision,
      author,
    });
    return state;
  }
}
