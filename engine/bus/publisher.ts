/**
 * Publishes engine events to JetStream. Emitting never blocks or throws: events queue in memory
 * and a pump publishes them in order-preserving batches, retrying through a broker outage. Each
 * event carries a message id, so a retry after a lost acknowledgement is deduplicated by the
 * stream.
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import type { EventType, PetriEvent } from '../api/events.ts';
import type { Clock } from '../clock.ts';
import { drop } from '../errors.ts';
import type { Logger } from '../log.ts';
import { Requester } from './rpc.ts';
import { eventSubject } from './subjects.ts';

/** What domains get to emit events with. */
export interface EventSink {
  /** Queues an event; returns its id. */
  emit(type: EventType, data?: Record<string, unknown>, options?: { cell?: string }): string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const BATCH = 512;
const MAX_QUEUE = 200_000;
/** How long JetStream has to acknowledge an event before the pump sends it again. */
const ACK_TIMEOUT_MS = 5000;

/** JetStream's answer to a publish: the stream sequence, or why it refused. */
interface PubAck {
  seq?: number;
  error?: { code?: number; description?: string };
}

/**
 * The JetStream-backed {@link EventSink}. A JetStream publish is a NATS request answered with an
 * acknowledgement; it goes through {@link Requester} rather than nats.js's `js.publish`, whose
 * request builds two stack-captured Error objects per message: `npm run bench -- events` measured
 * 98 µs of CPU per event that way.
 */
export class EventPublisher implements EventSink {
  readonly #rpc: Requester;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #prefix: string;
  #queue: PetriEvent[] = [];
  #counter = 0;
  #pumping = false;
  #idle: Array<() => void> = [];
  #dropped = 0;
  #closed = false;
  runId: number | undefined;
  /** Told about every batch JetStream acknowledged (tests check none of them goes missing). */
  onAcked: ((events: PetriEvent[]) => void) | undefined;
  /** Rewrites event data before it leaves the engine (the signals domain masks secrets here). */
  redact: (event: PetriEvent) => PetriEvent = (e) => e;

  constructor(nc: NatsConnection, clock: Clock, logger: Logger) {
    this.#rpc = new Requester(nc);
    this.#clock = clock;
    this.#logger = logger;
    this.#prefix = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  }

  emit(type: EventType, data: Record<string, unknown> = {}, options: { cell?: string } = {}): string {
    const id = `${this.#prefix}-${++this.#counter}`;
    // Key order matters: the persister reads the fixed fields from the front of the JSON text
    // without parsing the whole event (data last).
    const event: PetriEvent = {
      id,
      time: Math.round(this.#clock.now()),
      type,
      ...(this.runId !== undefined ? { runId: this.runId } : {}),
      ...(options.cell ? { cell: options.cell } : {}),
      data,
    };
    if (this.#queue.length >= MAX_QUEUE) {
      this.#queue.shift();
      this.#dropped++;
    }
    this.#queue.push(this.redact(event));
    if (!this.#pumping && !this.#closed) drop(this.#pump());
    return id;
  }

  /** Events waiting to be acknowledged by JetStream. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Events dropped because the queue overflowed during a long outage. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Resolves when every queued event has been acknowledged (or `timeoutMs` passed). */
  async flush(timeoutMs = 5000): Promise<boolean> {
    if (this.#queue.length === 0 && !this.#pumping) return true;
    const done = new Promise<boolean>((resolve) => this.#idle.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
    return Promise.race([done, timeout]);
  }

  /**
   * Stops publishing (at engine shutdown, after {@link flush}): a pump still retrying through an
   * outage gives up instead of keeping the process alive. Returns the events left unpublished.
   */
  close(): number {
    this.#closed = true;
    this.#rpc.close();
    return this.#queue.length;
  }

  /** Publishes one event into the stream; resolves when JetStream has stored it (or had it already). */
  async #publish(e: PetriEvent): Promise<void> {
    const h = headers();
    h.set('Nats-Msg-Id', e.id); // JetStream drops a retried event it already stored
    const reply = await this.#rpc.request(eventSubject(e.type), encoder.encode(JSON.stringify(e)), ACK_TIMEOUT_MS, h);
    const ack = JSON.parse(decoder.decode(reply)) as PubAck;
    if (ack.error || typeof ack.seq !== 'number')
      throw new Error(`JetStream did not store event ${e.id}: ${ack.error?.description ?? 'no sequence in its answer'}`);
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    let backoff = 50;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue.slice(0, BATCH);
        const results = await Promise.allSettled(batch.map((e) => this.#publish(e)));
        // Keep order: drop the acknowledged prefix, retry from the first failure.
        const firstFail = results.findIndex((r) => r.status === 'rejected');
        const acked = firstFail === -1 ? batch.length : firstFail;
        const done = this.#queue.splice(0, acked);
        if (done.length) this.onAcked?.(done);
        if (firstFail !== -1) {
          const reason = (results[firstFail] as PromiseRejectedResult).reason as Error;
          this.#logger.debug('event publish failed; retrying', { error: reason?.message, pending: this.#queue.length });
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 1000);
        } else backoff = 50;
      }
    } finally {
      this.#pumping = false;
      for (const fn of this.#idle.splice(0)) fn();
    }
  }
}
