/**
 * Persists events from the `PETRI_EVENTS` stream into SQLite: a durable consumer with AckAll,
 * one transaction per batch, then one acknowledgement for the batch. Anything JetStream
 * acknowledged to a publisher is either in SQLite or still unacknowledged in the consumer, so it
 * survives a broker or engine restart; redeliveries are ignored by the sequence primary key.
 */
import { AckPolicy, DeliverPolicy, jetstream, type JsMsg, type ConsumerMessages } from '@nats-io/jetstream';
import type { Bus } from '../bus/index.ts';
import { EVENTS_STREAM, STORE_CONSUMER } from '../bus/index.ts';
import type { PetriEvent } from '../api/events.ts';
import type { Logger } from '../log.ts';
import type { EventsRepo } from './events-repo.ts';
import { readEnvelope, type Envelope } from './envelope.ts';

/** One stored batch: envelopes (cheap) and the parsed events (parsed once, on first use). */
export class EventBatch {
  readonly envelopes: Array<Envelope & { seq: number }>;
  #events: PetriEvent[] | undefined;

  constructor(envelopes: Array<Envelope & { seq: number }>) {
    this.envelopes = envelopes;
  }

  /** The events with their sequence numbers. */
  get events(): PetriEvent[] {
    this.#events ??= this.envelopes.map((e) => ({ ...(JSON.parse(e.text) as PetriEvent), seq: e.seq }));
    return this.#events;
  }
}

const decoder = new TextDecoder();

/** Options of {@link EventPersister}. */
export interface PersisterOptions {
  batchSize?: number;
  /** Longest a message waits before its batch is written (ms). */
  flushMs?: number;
  /** Durable consumer name (tests use their own). */
  durable?: string;
}

/** Consumes the events stream into SQLite and tells listeners about each stored batch. */
export class EventPersister {
  readonly #bus: Bus;
  readonly #repo: EventsRepo;
  readonly #logger: Logger;
  readonly #opts: Required<PersisterOptions>;
  readonly #listeners = new Set<(batch: EventBatch) => void>();
  #messages: ConsumerMessages | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;
  #batch: Array<{ msg: JsMsg; env: Envelope & { seq: number } }> = [];
  #timer: NodeJS.Timeout | undefined;
  #persisted = 0;
  #lastSeq = 0;

  constructor(bus: Bus, repo: EventsRepo, logger: Logger, options: PersisterOptions = {}) {
    this.#bus = bus;
    this.#repo = repo;
    this.#logger = logger;
    this.#opts = { batchSize: 2000, flushMs: 25, durable: STORE_CONSUMER, ...options };
  }

  /** Total events written by this persister. */
  get persisted(): number {
    return this.#persisted;
  }

  /** Highest stream sequence written. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Calls `fn` with every batch after it is committed (the API stream, projections). */
  onBatch(fn: (batch: EventBatch) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  async start(): Promise<void> {
    const jsm = this.#bus.jsm;
    try {
      await jsm.consumers.info(EVENTS_STREAM, this.#opts.durable);
    } catch {
      await jsm.consumers.add(EVENTS_STREAM, {
        durable_name: this.#opts.durable,
        ack_policy: AckPolicy.All,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 50_000,
        ack_wait: 30_000_000_000,
      });
    }
    this.#running = this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#flush();
    await this.#messages?.close().catch(() => {});
    await this.#running?.catch(() => {});
  }

  /** Resolves once every message up to `seq` is stored (or the timeout passes). */
  async waitFor(seq: number, timeoutMs = 5000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.#lastSeq < seq && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return this.#lastSeq >= seq;
  }

  async #loop(): Promise<void> {
    const js = jetstream(this.#bus.nc);
    while (!this.#stopped) {
      try {
        const consumer = await js.consumers.get(EVENTS_STREAM, this.#opts.durable);
        this.#messages = await consumer.consume({ max_messages: this.#opts.batchSize * 2 });
        for await (const msg of this.#messages) {
          this.#take(msg);
          if (this.#stopped) break;
        }
      } catch (err) {
        if (this.#stopped) break;
        this.#logger.debug('event consumer interrupted; resubscribing', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  #take(msg: JsMsg): void {
    let env: Envelope;
    try {
      env = readEnvelope(decoder.decode(msg.data));
    } catch {
      const text = JSON.stringify({ id: `bad-${msg.seq}`, time: Date.now(), type: 'bad.event', data: { subject: msg.subject } });
      env = readEnvelope(text);
    }
    this.#batch.push({ msg, env: { ...env, seq: msg.seq } });
    if (this.#batch.length >= this.#opts.batchSize) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), this.#opts.flushMs);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#batch;
    if (batch.length === 0) return;
    this.#batch = [];
    const envelopes = batch.map((b) => b.env);
    try {
      this.#repo.insertEnvelopes(envelopes);
    } catch (err) {
      // Not acknowledged: JetStream redelivers after ack_wait, nothing is lost.
      this.#logger.error('persisting events failed', { err, count: envelopes.length });
      return;
    }
    batch[batch.length - 1]!.msg.ack();
    this.#persisted += envelopes.length;
    this.#lastSeq = Math.max(this.#lastSeq, envelopes[envelopes.length - 1]!.seq);
    const stored = new EventBatch(envelopes);
    for (const fn of this.#listeners) {
      try {
        fn(stored);
      } catch (err) {
        this.#logger.error('event listener failed', { err });
      }
    }
  }
}
