/**
 * The `/api/stream` WebSocket with reconnects: exponential backoff, a liveness check (the engine
 * sends a metrics frame every second, so silence means it is gone or frozen) and a probe over
 * HTTP after each failure, because a browser WebSocket cannot tell a refused token from a dead
 * server.
 */
import type { StreamMessage } from '../../../engine/api/schema.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';

/** Connection states, as the UI shows them. */
export type StreamStatus = 'connecting' | 'open' | 'retrying' | 'unauthorized' | 'closed';

/** What the probe found after a failed connection. */
export type ProbeResult = 'ok' | 'unauthorized' | 'down';

/** The part of the browser WebSocket this module uses (tests pass a fake). */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(): void;
}

/** Details passed with each status change. */
export interface StatusInfo {
  /** Failed attempts since the last successful connection. */
  attempt: number;
  /** When retrying: the delay before the next attempt. */
  retryInMs?: number;
}

/** Options of {@link EngineStream}. */
export interface EngineStreamOptions {
  url: string;
  onMessage: (msg: StreamMessage) => void;
  onStatus: (status: StreamStatus, info: StatusInfo) => void;
  /** Checks over HTTP why the stream failed. */
  probe?: () => Promise<ProbeResult>;
  /** Opens a socket; the browser's WebSocket by default. */
  socket?: (url: string) => SocketLike;
  /** A socket opened earlier for this url, with what it received so far (first connection only). */
  adopt?: (url: string) => { socket: SocketLike; buffered: unknown[] } | undefined;
  /** Silence after which the connection counts as dead (default 4 s: four missed frames). */
  staleMs?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}

/** A self-healing stream of engine messages. */
export class EngineStream {
  readonly #o: Required<Omit<EngineStreamOptions, 'probe' | 'adopt'>> & Pick<EngineStreamOptions, 'probe' | 'adopt'>;
  #ws: SocketLike | undefined;
  #attempt = 0;
  #lastMessage = 0;
  #connectStarted = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #staleTimer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  #status: StreamStatus = 'closed';

  constructor(options: EngineStreamOptions) {
    this.#o = {
      socket: (url) => new WebSocket(url) as unknown as SocketLike,
      staleMs: 4000,
      backoff: DEFAULT_BACKOFF,
      now: () => Date.now(),
      ...options,
    };
  }

  /** Current state. */
  get status(): StreamStatus {
    return this.#status;
  }

  /** Opens the stream (and keeps it open until {@link stop}). */
  start(): void {
    this.#stopped = false;
    this.#connect();
    this.#staleTimer ??= setInterval(() => this.#checkStale(), Math.min(1000, this.#o.staleMs / 2));
  }

  /** Skips the wait and reconnects now (the UI's "retry now"). */
  retryNow(): void {
    if (this.#stopped || this.#status === 'open' || this.#status === 'connecting') return;
    clearTimeout(this.#retryTimer);
    this.#connect();
  }

  /** Closes the stream for good. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#staleTimer);
    this.#staleTimer = undefined;
    this.#drop();
    this.#setStatus('closed');
  }

  #setStatus(status: StreamStatus, retryInMs?: number): void {
    this.#status = status;
    this.#o.onStatus(status, { attempt: this.#attempt, ...(retryInMs === undefined ? {} : { retryInMs }) });
  }

  #connect(): void {
    this.#drop();
    this.#setStatus('connecting');
    this.#connectStarted = this.#o.now();
    const adopted = this.#o.adopt?.(this.#o.url);
    this.#o.adopt = undefined;
    let ws: SocketLike;
    try {
      ws = adopted?.socket ?? this.#o.socket(this.#o.url);
    } catch {
      this.#failed();
      return;
    }
    this.#ws = ws;
    ws.onmessage = (ev) => this.#message(ev.data);
    ws.onclose = () => {
      if (this.#ws === ws) this.#failed();
    };
    ws.onerror = () => {
      /* onclose follows and handles it */
    };
    for (const data of adopted?.buffered ?? []) if (this.#ws === ws) this.#message(data);
  }

  #message(data: unknown): void {
    this.#lastMessage = this.#o.now();
    let msg: StreamMessage;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : String(data)) as StreamMessage;
    } catch {
      return;
    }
    if (msg.kind === 'hello') {
      this.#attempt = 0;
      this.#setStatus('open');
    }
    this.#o.onMessage(msg);
  }

  /** Detaches and closes the current socket so its late events are ignored. */
  #drop(): void {
    const ws = this.#ws;
    this.#ws = undefined;
    if (!ws) return;
    ws.onmessage = ws.onclose = ws.onerror = ws.onopen = null;
    try {
      ws.close();
    } catch {
      // already closed
    }
  }

  #failed(): void {
    this.#drop();
    if (this.#stopped) return;
    const delay = backoffDelay(this.#attempt, this.#o.backoff);
    this.#attempt += 1;
    this.#setStatus('retrying', delay);
    this.#retryTimer = setTimeout(() => void this.#retry(), delay);
  }

  async #retry(): Promise<void> {
    if (this.#stopped) return;
    const probe = this.#o.probe ? await this.#o.probe().catch((): ProbeResult => 'down') : 'ok';
    if (this.#stopped) return;
    if (probe === 'unauthorized') return this.#setStatus('unauthorized');
    if (probe === 'down') return this.#failed();
    this.#connect();
  }

  /** A frozen engine accepts TCP but never answers: both silence and a hanging handshake fail. */
  #checkStale(): void {
    const now = this.#o.now();
    if (this.#status === 'open' && now - this.#lastMessage > this.#o.staleMs) this.#failed();
    else if (this.#status === 'connecting' && now - this.#connectStarted > this.#o.staleMs) this.#failed();
  }
}
