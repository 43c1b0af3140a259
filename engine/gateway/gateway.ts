/**
 * The HTTP gateway: a loopback server mapping pathways to cell operations over NATS
 * request/reply, with the defence chain in front. Unknown route 404, cell timeout 504, no
 * replica or overload 503. The client identity is the remote address.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RouteStats } from '../api/schema.ts';
import { cellSubject, classifyRequestError, Requester } from '../bus/index.ts';
import type { Clock } from '../clock.ts';
import type { Histogram } from '../metrics/index.ts';
import type { PathwaySpec } from '../organism/index.ts';
import type { CellReply, CellRequest } from '../cells/index.ts';
import type { GatewayLayer, GatewayRequest, LayerDecision } from './layer.ts';
import { Router } from './router.ts';
import { RouteCounters } from './stats.ts';

const MAX_BODY = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Header the load generator tags requests with (ground truth only: never used for decisions). */
export const STREAM_HEADER = 'x-petri-stream';

/** Options of {@link Gateway}. */
export interface GatewayOptions {
  nc: NatsConnection;
  clock: Clock;
  pathways: readonly PathwaySpec[];
  port?: number;
  host?: string;
}

function problem(
  res: ServerResponse,
  status: number,
  title: string,
  detail?: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, ...(detail ? { detail } : {}) });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** Normalises `::ffff:127.0.0.5` to `127.0.0.5`. */
export function clientAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? 'unknown';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The gateway server. */
export class Gateway {
  readonly #opts: GatewayOptions;
  readonly #server: Server;
  #router: Router;
  #pathways: readonly PathwaySpec[];
  #counters = new Map<string, RouteCounters>();
  #unmatched: RouteCounters;
  readonly layers: GatewayLayer[] = [];
  /** Created on the first forwarded request (a gateway that refuses everything never needs NATS). */
  #rpc: Requester | undefined;

  constructor(options: GatewayOptions) {
    this.#opts = options;
    this.#pathways = options.pathways;
    this.#router = new Router(options.pathways);
    this.#unmatched = new RouteCounters('(unmatched)', '');
    for (const p of options.pathways) this.#counters.set(p.route, new RouteCounters(p.route, p.cell));
    this.#server = createServer({ keepAliveTimeout: 30_000, requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) =>
      this.#handle(req, res),
    );
    this.#server.maxHeadersCount = 200;
    this.#server.on('connection', (socket) => {
      const client = socket.remoteAddress?.startsWith('::ffff:') ? socket.remoteAddress.slice(7) : (socket.remoteAddress ?? '');
      const open = (this.#perClient.get(client) ?? 0) + 1;
      if (this.connectionGuard && !this.connectionGuard(client, open, this.#opts.clock.now())) {
        socket.destroy();
        return;
      }
      this.#perClient.set(client, open);
      this.#connections++;
      socket.once('close', () => {
        this.#connections--;
        const n = (this.#perClient.get(client) ?? 1) - 1;
        if (n <= 0) this.#perClient.delete(client);
        else this.#perClient.set(client, n);
      });
    });
  }

  readonly #perClient = new Map<string, number>();

  /** Connections a client holds open right now. */
  connectionsOf(client: string): number {
    return this.#perClient.get(client) ?? 0;
  }

  /**
   * Decides whether a new connection from `client` (its `open`-th) is accepted; refused ones are
   * closed at once (the immune system's defence against slow-header floods).
   */
  connectionGuard: ((client: string, open: number, now: number) => boolean) | undefined;

  /** Built-in endpoints served before any pathway or layer (the local token issuer). */
  readonly endpoints = new Map<
    string,
    (req: GatewayRequest) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>
  >();

  #connections = 0;

  /** TCP connections open right now (slow-header attacks show up here before any request does). */
  get openConnections(): number {
    return this.#connections;
  }

  get pathways(): readonly PathwaySpec[] {
    return this.#pathways;
  }

  /** Listens on loopback; resolves to the port. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port ?? 0, this.#opts.host ?? '127.0.0.1', () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    const a = this.#server.address() as AddressInfo | null;
    return a ? `http://127.0.0.1:${a.port}` : '';
  }

  /** Adds a pathway at run time. */
  setPathways(pathways: readonly PathwaySpec[]): void {
    this.#pathways = pathways;
    this.#router = new Router(pathways);
    for (const p of pathways) if (!this.#counters.has(p.route)) this.#counters.set(p.route, new RouteCounters(p.route, p.cell));
  }

  /** Interval statistics per route (with histograms for rollups). */
  collect(intervalMs: number): Array<{ stats: RouteStats; hist: Histogram }> {
    const out = [...this.#counters.values()].map((c) => c.collect(intervalMs));
    const un = this.#unmatched.collect(intervalMs);
    if (un.stats.count) out.push(un);
    return out;
  }

  /** Cumulative counters per route (Prometheus). */
  totals(): RouteCounters[] {
    return [...this.#counters.values(), this.#unmatched];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const started = this.#opts.clock.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const match = this.#router.match(method, path);
    const greq: GatewayRequest = {
      method,
      path,
      query: q === -1 ? '' : url.slice(q + 1),
      headers: req.headers,
      client: clientAddress(req),
      pathway: 'pathway' in match ? match.pathway : undefined,
      params: 'pathway' in match ? match.params : {},
      body: undefined,
      now: started,
      notes: {},
    };
    const needsBody =
      method !== 'GET' && method !== 'HEAD' && (req.headers['content-length'] !== '0' || req.headers['transfer-encoding']);
    if (!needsBody) {
      req.resume();
      this.#route(greq, res, match);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY) {
        this.#finish(greq, res, 413, { title: 'Payload Too Large' });
        return;
      }
      greq.body = Buffer.concat(chunks);
      this.#route(greq, res, match);
    });
    req.on('error', () => res.destroy());
  }

  #route(greq: GatewayRequest, res: ServerResponse, match: ReturnType<Router['match']>): void {
    const endpoint = this.endpoints.get(`${greq.method} ${greq.path}`);
    if (endpoint) {
      endpoint(greq).then(
        (out) => {
          const body = JSON.stringify(out.body);
          res.writeHead(out.status, {
            'content-type': out.status >= 400 ? 'application/problem+json' : 'application/json',
            'cache-control': 'no-store',
            ...out.headers,
          });
          res.end(body);
        },
        () => this.#finish(greq, res, 500, { title: 'Internal Error' }),
      );
      return;
    }
    for (const layer of this.layers) {
      const decision = layer.inspect(greq);
      if (decision) return this.#refuse(greq, res, decision);
    }
    if (!('pathway' in match)) {
      const allow = 'allow' in match && match.allow ? { allow: match.allow.join(', ') } : undefined;
      return this.#finish(greq, res, match.status, {
        title: match.status === 404 ? 'Not Found' : 'Method Not Allowed',
        detail: match.status === 404 ? `no pathway for ${greq.method} ${greq.path}` : undefined,
        headers: allow,
      });
    }
    this.#forward(greq, res, match.pathway).catch(() => this.#finish(greq, res, 502, { title: 'Bad Gateway' }));
  }

  async #forward(greq: GatewayRequest, res: ServerResponse, p: PathwaySpec): Promise<void> {
    const clock = this.#opts.clock;
    const payload: CellRequest = {
      method: greq.method,
      path: greq.path,
      route: p.route,
      params: greq.params,
      query: greq.query,
      client: greq.client,
      deadline: greq.now + p.timeoutMs,
      hops: 0,
    };
    if (greq.body?.length) payload.body = parseBody(greq.body, greq.headers['content-type']);
    let reply: CellReply;
    try {
      const data = await (this.#rpc ??= new Requester(this.#opts.nc)).request(
        cellSubject(p.cell, p.op),
        encoder.encode(JSON.stringify(payload)),
        p.timeoutMs / clock.speed,
      );
      reply = JSON.parse(decoder.decode(data)) as CellReply;
    } catch (err) {
      const kind = classifyRequestError(err);
      if (kind === 'timeout')
        return this.#finish(greq, res, 504, {
          title: 'Gateway Timeout',
          detail: `${p.cell}.${p.op} did not answer in time`,
          timeout: true,
        });
      if (kind === 'no-responders')
        return this.#finish(greq, res, 503, { title: 'Service Unavailable', detail: `no ready replica of ${p.cell}` });
      return this.#finish(greq, res, 503, { title: 'Service Unavailable', detail: `bus unavailable (${kind})` });
    }
    if (reply.status >= 400)
      return this.#finish(greq, res, reply.status, {
        title: reply.error ?? 'Error',
        detail: `${reply.cell} (${reply.replica})`,
        cellMs: reply.ms,
      });
    const body = JSON.stringify(reply.body ?? null);
    if (!res.destroyed) {
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'x-petri-replica': reply.replica,
      });
      res.end(body);
    }
    this.#record(greq, reply.status, { cellMs: reply.ms });
  }

  #refuse(greq: GatewayRequest, res: ServerResponse, d: LayerDecision): void {
    this.#finish(greq, res, d.status, { title: d.reason, headers: d.headers, blocked: d.blocked ?? true, layer: d.layer });
  }

  #finish(
    greq: GatewayRequest,
    res: ServerResponse,
    status: number,
    o: {
      title: string;
      detail?: string;
      headers?: Record<string, string>;
      timeout?: boolean;
      blocked?: boolean;
      layer?: string;
      cellMs?: number;
    },
  ): void {
    if (!res.destroyed && !res.headersSent) problem(res, status, o.title, o.detail, o.headers);
    this.#record(greq, status, { timeout: o.timeout, blocked: o.blocked, cellMs: o.cellMs });
  }

  #record(greq: GatewayRequest, status: number, flags: { timeout?: boolean; blocked?: boolean; cellMs?: number }): void {
    const latency = this.#opts.clock.now() - greq.now;
    const counters = greq.pathway ? this.#counters.get(greq.pathway.route) : this.#unmatched;
    counters?.record(status, latency, flags);
    for (const layer of this.layers) layer.observe?.(greq, status, latency);
  }
}

function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
