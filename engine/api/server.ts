/**
 * The control server: the API under `/api`, the event and metrics stream on `/api/stream`
 * (WebSocket), Prometheus text on `/metrics`, and the built UI at `/`. Loopback only; every route
 * but `/api/health` needs the bearer token printed in the ready line.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { createHash } from 'node:crypto';
import { newApiToken } from './token.ts';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine.ts';
import { ApiRouter, authorized, loopbackHost, sendProblem, type Route } from './http.ts';
import { coreRoutes, metricsText } from './routes.ts';
import { actionRoutes } from './action-routes.ts';
import { immuneRoutes } from './immune-routes.ts';
import { scalingRoutes } from './scaling-routes.ts';
import type { StreamMessage } from './schema.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/** Content Security Policy of the UI: nothing but our own origin. */
export const UI_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The CSP for an HTML page of the UI: {@link UI_CSP} plus the hash of each inline script in it
 * (the build inlines one, the boot script that opens the engine stream during parsing). A hash
 * allows exactly that text; any other inline script stays refused.
 */
export function cspForHtml(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`,
  );
  return hashes.length ? UI_CSP.replace("script-src 'self'", `script-src 'self' ${hashes.join(' ')}`) : UI_CSP;
}

/** Options of {@link ControlServer}. */
export interface ControlServerOptions {
  engine: Engine;
  port?: number;
  token?: string;
  /** Directory of the built UI (renderer/dist). */
  uiDir?: string;
}

/** Events after which stream clients get the organism again (its shape changed). */
const SHAPE_EVENTS = /^(cell|replica)\./;

/** Slow WebSocket clients lose metrics frames rather than holding engine memory. */
const WS_HIGH_WATER = 8 * 1024 * 1024;

/** HTTP + WebSocket server of the control API and UI. */
export class ControlServer {
  readonly token: string;
  readonly router: ApiRouter;
  readonly #engine: Engine;
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  readonly #uiDir: string | undefined;
  readonly #port: number;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: ControlServerOptions) {
    this.#engine = options.engine;
    this.token = options.token ?? newApiToken();
    this.#uiDir = options.uiDir ? resolve(options.uiDir) : undefined;
    this.#port = options.port ?? 0;
    this.router = new ApiRouter(this.token);
    this.router.add(
      ...coreRoutes(this.#engine),
      ...actionRoutes(this.#engine),
      ...immuneRoutes(this.#engine),
      ...scalingRoutes(this.#engine),
    );
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  /** Adds routes of later domains (faults, traffic, immune…). */
  addRoutes(...routes: Route[]): void {
    this.router.add(...routes);
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolvePromise, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => resolvePromise());
    });
    this.#unsubscribe.push(
      this.#engine.persister.onBatch((batch) => {
        if (this.#wss.clients.size === 0) return;
        this.#broadcast({ kind: 'events', events: batch.events }, false);
        if (batch.envelopes.some((e) => SHAPE_EVENTS.test(e.type))) this.organismChanged();
      }),
      this.#engine.collector.onFrame((frame) => this.#broadcast({ kind: 'metrics', frame }, true)),
    );
    return this.port;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Tells stream clients the organism changed shape (cell spawned, removed, scaled). */
  organismChanged(): void {
    this.#broadcast({ kind: 'organism', organism: this.#engine.view() }, true);
  }

  async close(): Promise<void> {
    for (const u of this.#unsubscribe) u();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #broadcast(msg: StreamMessage, droppable: boolean): void {
    if (this.#wss.clients.size === 0) return;
    const text = JSON.stringify(msg);
    for (const ws of this.#wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (droppable && ws.bufferedAmount > WS_HIGH_WATER) continue;
      ws.send(text);
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!loopbackHost(req)) return sendProblem(res, 421, 'Misdirected Request', 'Petri answers only on loopback host names');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) return this.router.handle(req, res, url);
    if (url.pathname === '/metrics') {
      if (!authorized(req, this.token, url.searchParams.get('token'))) {
        res.setHeader('www-authenticate', 'Bearer realm="petri"');
        return sendProblem(res, 401, 'Unauthorized', 'send Authorization: Bearer TOKEN');
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metricsText(this.#engine));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendProblem(res, 405, 'Method Not Allowed');
    await this.#static(url.pathname, res);
  }

  async #static(pathname: string, res: ServerResponse): Promise<void> {
    const headers = {
      'content-security-policy': UI_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    };
    if (!this.#uiDir) {
      res.writeHead(200, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('The Petri UI is not built. Run `npm run build` (npm start does it for you). The API is at /api.\n');
      return;
    }
    const rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    let file = join(this.#uiDir, rel || 'index.html');
    if (!file.startsWith(this.#uiDir + sep) && file !== this.#uiDir) return sendProblem(res, 404, 'Not Found');
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    } catch {
      file = join(this.#uiDir, 'index.html'); // client-side routes fall back to the app
    }
    try {
      const body = await readFile(file);
      const immutable = file.includes(`${sep}assets${sep}`);
      res.writeHead(200, {
        ...headers,
        'content-security-policy': extname(file) === '.html' ? cspForHtml(body.toString('utf8')) : UI_CSP,
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'content-length': body.length,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      res.end(body);
    } catch {
      res.writeHead(503, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('The Petri UI is not built. Run `npm run build`.\n');
    }
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refuse = (code: number, text: string): void => {
      socket.end(`HTTP/1.1 ${code} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api/stream') return refuse(404, 'Not Found');
    if (!loopbackHost(req)) return refuse(421, 'Misdirected Request');
    // Browsers cannot set headers on a WebSocket: the token may come as a query parameter.
    if (!authorized(req, this.token, url.searchParams.get('token'))) return refuse(401, 'Unauthorized');
    this.#wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const hello: StreamMessage = { kind: 'hello', organism: this.#engine.view(), lastSeq: this.#engine.persister.lastSeq };
      ws.send(JSON.stringify(hello));
      ws.on('error', () => ws.terminate());
    });
  }
}
