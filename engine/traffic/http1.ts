/**
 * A minimal HTTP/1.1 client for the load generator. Node's http module costs ~3× autocannon's CPU
 * per request (agents, header objects, streams); on a 2-core machine that CPU is taken from the
 * organism under test. This writes each request as one buffer on a keep-alive socket bound to the
 * client's source address and parses only what the generator needs: the status and where the
 * response ends (Content-Length or chunked).
 */
import { connect, type Socket } from 'node:net';

/** The outcome of one request. */
export type Outcome = { status: number } | { error: 'timeout' | 'network' };

interface Pending {
  done: (o: Outcome) => void;
  timer: NodeJS.Timeout;
}

/** Response parsing state of one connection. */
class Conn {
  readonly socket: Socket;
  busy: Pending | undefined;
  #buf: Buffer = Buffer.alloc(0);
  #status = 0;
  #remaining = -1; // body bytes left; -1 = in headers; -2 = chunked
  #closing = false;
  onFree: () => void = () => {};
  onDead: () => void = () => {};

  constructor(host: string, port: number, localAddress: string) {
    this.socket = connect({ host, port, localAddress, noDelay: true });
    this.socket.on('data', (d: Buffer) => this.#data(d));
    const dead = (): void => {
      this.#finish({ error: 'network' });
      this.onDead();
    };
    this.socket.on('error', dead);
    this.socket.on('close', dead);
  }

  send(request: Buffer, done: (o: Outcome) => void, timeoutMs: number): void {
    const timer = setTimeout(() => {
      this.#finish({ error: 'timeout' });
      this.socket.destroy();
    }, timeoutMs);
    this.busy = { done, timer };
    this.#remaining = -1;
    this.socket.write(request);
  }

  #finish(o: Outcome): void {
    const p = this.busy;
    if (!p) return;
    this.busy = undefined;
    clearTimeout(p.timer);
    p.done(o);
  }

  #data(d: Buffer): void {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : d;
    for (;;) {
      if (this.#remaining === -1) {
        const end = this.#buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = this.#buf.toString('latin1', 0, end);
        this.#buf = this.#buf.subarray(end + 4);
        this.#status = Number(head.slice(9, 12));
        const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.#closing = /\r\nconnection:\s*close/i.test(head);
        this.#remaining = len ? Number(len[1]) : /\r\ntransfer-encoding:\s*chunked/i.test(head) ? -2 : 0;
      }
      if (this.#remaining === -2) {
        const end = this.#buf.indexOf('0\r\n\r\n');
        if (end === -1) return; // the generator ignores bodies: wait for the terminal chunk
        this.#buf = this.#buf.subarray(end + 5);
      } else {
        if (this.#buf.length < this.#remaining) return;
        this.#buf = this.#buf.subarray(this.#remaining);
      }
      this.#remaining = -1;
      this.#finish({ status: this.#status });
      if (this.#closing) return void this.socket.destroy();
      this.onFree();
      if (!this.#buf.length) return;
    }
  }
}

/** The connections of one client (one source address): reused when free, opened when all are busy. */
export class ClientPool {
  readonly #host: string;
  readonly #port: number;
  readonly #address: string;
  readonly #free: Conn[] = [];
  readonly #all = new Set<Conn>();

  constructor(host: string, port: number, localAddress: string) {
    this.#host = host;
    this.#port = port;
    this.#address = localAddress;
  }

  /** Sends a serialised request; `done` is called exactly once. */
  request(bytes: Buffer, timeoutMs: number, done: (o: Outcome) => void): void {
    let conn = this.#free.pop();
    while (conn && conn.socket.destroyed) conn = this.#free.pop();
    if (!conn) conn = this.#open();
    conn.send(bytes, done, timeoutMs);
  }

  /** Open connections (free and busy). */
  get size(): number {
    return this.#all.size;
  }

  destroy(): void {
    for (const c of this.#all) c.socket.destroy();
    this.#all.clear();
    this.#free.length = 0;
  }

  #open(): Conn {
    const c = new Conn(this.#host, this.#port, this.#address);
    this.#all.add(c);
    c.onFree = () => this.#free.push(c);
    c.onDead = () => {
      this.#all.delete(c);
      const i = this.#free.indexOf(c);
      if (i !== -1) this.#free.splice(i, 1);
    };
    return c;
  }
}

/** Serialises a request into the bytes written on the socket. */
export function serialise(
  method: string,
  path: string,
  host: string,
  headers: Record<string, string | number>,
  body?: string,
): Buffer {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
  if (body !== undefined) {
    const b = Buffer.from(body);
    return Buffer.concat([Buffer.from(`${head}content-length: ${b.length}\r\n\r\n`, 'latin1'), b]);
  }
  return Buffer.from(`${head}\r\n`, 'latin1');
}
