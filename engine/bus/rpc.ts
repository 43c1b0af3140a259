/**
 * Request/reply over one connection's wildcard inbox, without nats.js's per-request cost.
 *
 * `nc.request()` builds two Error objects for every request (a RequestError to carry an async
 * stack trace, and another one to reject the already-settled promise on cleanup); under load
 * that stack capture was 10 % of the engine's CPU. Here a request is a slot in an array, a timer
 * and a publish; an error is built only when a request fails.
 */
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import type { RequestFailure } from './request.ts';

/** A failed request; `name` matches nats.js's errors so {@link classifyRequestError} reads both. */
export class RpcError extends Error {
  readonly kind: RequestFailure;
  constructor(kind: RequestFailure, subject: string) {
    super(`${subject}: ${kind}`);
    this.kind = kind;
    this.name = {
      timeout: 'TimeoutError',
      'no-responders': 'NoResponders',
      disconnected: 'ClosedConnectionError',
      error: 'RpcError',
    }[kind];
  }
}

interface Pending {
  /** Which request this is: a slot is reused, and a late reply must not settle its next tenant. */
  seq: number;
  subject: string;
  resolve: (data: Uint8Array) => void;
  reject: (err: RpcError) => void;
  timer: NodeJS.Timeout;
}

/** Request/reply for one connection. */
export class Requester {
  readonly #nc: NatsConnection;
  readonly #prefix: string;
  readonly #sub: Subscription;
  /**
   * Open requests by slot; freed slots are reused. Not a Map: V8 rehashes a Map that sees constant
   * set/delete into a new table and leaves the old one pointing at it with its entries. Once an
   * old table is promoted, that chain keeps every later table — and through their entries every
   * request's promise, timer and buffers — alive through young-generation collections until the
   * next full GC: at 1,000 req/s this was the largest survivor on the request path after object
   * spread (see protocol.ts), and scavenge pauses are what sets the gateway's p99.
   */
  readonly #slots: Array<Pending | undefined> = [];
  readonly #free: number[] = [];
  #inFlight = 0;
  #seq = 0;
  /**
   * The open requesters of each connection, told once when it closes. A handler per requester
   * on `nc.closed()` would keep every requester ever made (a removed cell's too) alive as long
   * as the connection, which the engine's cells share.
   */
  static readonly #open = new WeakMap<NatsConnection, Set<Requester>>();

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    this.#prefix = `${createInbox()}.`;
    this.#sub = nc.subscribe(`${this.#prefix}*`, { callback: (_err, msg) => this.#settle(msg) });
    let open = Requester.#open.get(nc);
    if (!open) {
      const set = new Set<Requester>();
      Requester.#open.set(nc, set);
      void nc.closed().then(() => {
        for (const r of set) r.#failAll('disconnected');
        set.clear();
      });
      open = set;
    }
    open.add(this);
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Publishes `data` (with `headers`, if any) to `subject` and resolves to the first reply's payload. */
  request(subject: string, data: Uint8Array, timeoutMs: number, headers?: MsgHdrs): Promise<Uint8Array> {
    if (this.#nc.isClosed()) return Promise.reject(new RpcError('disconnected', subject));
    const seq = this.#seq++;
    const slot = this.#free.pop() ?? this.#slots.length;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#take(slot, seq)) reject(new RpcError('timeout', subject));
      }, timeoutMs);
      this.#slots[slot] = { seq, subject, resolve, reject, timer };
      this.#inFlight++;
      try {
        this.#nc.publish(subject, data, { reply: `${this.#prefix}${slot.toString(36)}-${seq.toString(36)}`, headers });
      } catch {
        clearTimeout(timer);
        this.#take(slot, seq);
        reject(new RpcError('disconnected', subject));
      }
    });
  }

  /** Removes and returns the open request `seq` in `slot`, if it is still open. */
  #take(slot: number, seq: number): Pending | undefined {
    const p = this.#slots[slot];
    if (!p || p.seq !== seq) return undefined;
    this.#slots[slot] = undefined;
    this.#free.push(slot);
    this.#inFlight--;
    return p;
  }

  /** Stops listening; requests in flight fail as disconnected. */
  close(): void {
    this.#sub.unsubscribe();
    Requester.#open.get(this.#nc)?.delete(this);
    this.#failAll('disconnected');
  }

  #settle(msg: Msg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const dash = token.indexOf('-');
    const p = this.#take(parseInt(token.slice(0, dash), 36), parseInt(token.slice(dash + 1), 36));
    if (!p) return; // late reply to a request that timed out, or not one of ours
    clearTimeout(p.timer);
    // The server answers a request nobody subscribes to with an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) p.reject(new RpcError('no-responders', p.subject));
    else p.resolve(msg.data);
  }

  #failAll(kind: RequestFailure): void {
    for (let slot = 0; slot < this.#slots.length; slot++) {
      const p = this.#slots[slot];
      if (!p || !this.#take(slot, p.seq)) continue;
      clearTimeout(p.timer);
      p.reject(new RpcError(kind, p.subject));
    }
  }
}
