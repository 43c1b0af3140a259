/**
 * Request/reply over one connection's wildcard inbox, without nats.js's per-request cost.
 *
 * `nc.request()` builds two Error objects for every request (a RequestError to carry an async
 * stack trace, and another one to reject the already-settled promise on cleanup); under load
 * that stack capture was 10 % of the engine's CPU. Here a request is a token in a map, a timer
 * and a publish; an error is built only when a request fails.
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
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
  readonly #pending = new Map<string, Pending>();
  #next = 0;
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
    return this.#pending.size;
  }

  /** Publishes `data` to `subject` and resolves to the first reply's payload. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (this.#nc.isClosed()) return Promise.reject(new RpcError('disconnected', subject));
    const token = (this.#next++).toString(36);
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending.delete(token)) reject(new RpcError('timeout', subject));
      }, timeoutMs);
      this.#pending.set(token, { subject, resolve, reject, timer });
      try {
        this.#nc.publish(subject, data, { reply: this.#prefix + token });
      } catch {
        clearTimeout(timer);
        this.#pending.delete(token);
        reject(new RpcError('disconnected', subject));
      }
    });
  }

  /** Stops listening; requests in flight fail as disconnected. */
  close(): void {
    this.#sub.unsubscribe();
    Requester.#open.get(this.#nc)?.delete(this);
    this.#failAll('disconnected');
  }

  #settle(msg: Msg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const p = this.#pending.get(token);
    if (!p) return; // late reply to a request that timed out
    this.#pending.delete(token);
    clearTimeout(p.timer);
    // The server answers a request nobody subscribes to with an empty 503 status message.
    if (msg.data.length === 0 && msg.headers?.code === 503) p.reject(new RpcError('no-responders', p.subject));
    else p.resolve(msg.data);
  }

  #failAll(kind: RequestFailure): void {
    for (const [token, p] of this.#pending) {
      this.#pending.delete(token);
      clearTimeout(p.timer);
      p.reject(new RpcError(kind, p.subject));
    }
  }
}
