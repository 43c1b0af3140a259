/**
 * The load generator: runs in a worker thread so sending thousands of requests per second never
 * blocks the engine's event loop. Open loop: requests leave at their scheduled times whether or
 * not earlier ones were answered, so overload shows as latency and errors, not as a politely
 * slower generator. Each client sends from its own loopback address.
 */
import { connect, type Socket } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { Rng } from '../clock.ts';
import { Histogram } from '../metrics/index.ts';
import { ArrivalSchedule } from './arrivals.ts';
import { clientAddress } from './clients.ts';
import type { FromWorker, StreamSample, ToWorker, WorkerStream } from './protocol.ts';
import { builders } from './builders.ts';
import { parseRoute, type RequestBuilder } from './requests.ts';
import { ClientPool, serialise, type Outcome } from './http1.ts';

const STREAM_HEADER = 'x-petri-stream';
/** The request's number in its stream: ground truth for evaluations, like the stream tag. */
const SEQ_HEADER = 'x-petri-seq';

interface Running {
  spec: WorkerStream;
  schedule: ArrivalSchedule;
  startWall: number;
  next: number | undefined;
  seq: number;
  rng: Rng;
  builder: RequestBuilder | undefined;
  route: { method: string; path: string };
  pools: ClientPool[];
  sockets: Set<Socket>;
  s: Omit<StreamSample, 'hist' | 'histMax' | 'histSum' | 'name' | 'inflight' | 'clients'>;
  hist: Histogram;
  inflight: number;
  clientsSeen: Set<string>;
  totalSent: number;
  stopped: boolean;
}

let target = { host: '127.0.0.1', port: 80 };
let hostHeader = '127.0.0.1';
let speed = 1;
const streams = new Map<string, Running>();
const post = (msg: FromWorker): void => parentPort!.postMessage(msg);

function fresh(): Running['s'] {
  return { sent: 0, done: 0, ok: 0, c4xx: 0, c5xx: 0, blocked: 0, timeouts: 0, errors: 0, lagMs: 0 };
}

function start(spec: WorkerStream): void {
  stop(spec.name);
  const schedule = new ArrivalSchedule({
    seed: spec.seed,
    law: spec.law,
    shape: spec.shape,
    rate: spec.rate,
    durationMs: spec.durationMs,
  });
  const r: Running = {
    spec,
    schedule,
    startWall: performance.now(),
    next: schedule.next(),
    seq: 0,
    rng: new Rng(spec.seed).fork('requests'),
    builder: builders[spec.builder],
    route: parseRoute(spec.route),
    pools: Array.from({ length: spec.clients }, (_, i) => new ClientPool(target.host, target.port, clientAddress(spec.block, i))),
    sockets: new Set(),
    s: fresh(),
    hist: new Histogram(),
    inflight: 0,
    clientsSeen: new Set(),
    totalSent: 0,
    stopped: false,
  };
  if (!r.builder && spec.builder !== 'slowloris') {
    post({ op: 'error', name: spec.name, message: `unknown request builder '${spec.builder}'` });
    return;
  }
  streams.set(spec.name, r);
}

function stop(name: string): void {
  const r = streams.get(name);
  if (!r) return;
  // The last partial second is reported before the stream goes away.
  post({ op: 'stats', wallMs: Date.now(), samples: [sample(r)] });
  r.stopped = true;
  streams.delete(name);
  for (const p of r.pools) p.destroy();
  for (const s of r.sockets) s.destroy();
  post({ op: 'ended', name, sent: r.totalSent });
}

function send(r: Running): void {
  const seq = r.seq++;
  const client = r.spec.clients > 0 ? r.rng.int(r.spec.clients) : 0;
  r.s.sent++;
  r.totalSent++;
  r.clientsSeen.add(clientAddress(r.spec.block, client));
  if (r.spec.builder === 'slowloris') return slowloris(r, client);
  const plan = r.builder!({ route: r.route, seq, client, rng: r.rng, data: r.spec.data });
  const started = performance.now();
  r.inflight++;
  const headers: Record<string, string | number> = { ...plan.headers, [STREAM_HEADER]: r.spec.name, [SEQ_HEADER]: seq };
  const bytes = serialise(plan.method, plan.path, hostHeader, headers, plan.body);
  r.pools[client]!.request(bytes, r.spec.timeoutMs / speed, (o: Outcome) => {
    if (r.stopped) return;
    r.inflight--;
    r.s.done++;
    r.hist.record((performance.now() - started) * speed);
    if ('error' in o) {
      if (o.error === 'timeout') r.s.timeouts++;
      else r.s.errors++;
      return;
    }
    if (o.status < 400) r.s.ok++;
    else if (o.status < 500) r.s.c4xx++;
    else r.s.c5xx++;
    if (o.status === 403 || o.status === 429) r.s.blocked++;
  });
}

/** Slow headers: open a connection, send a partial request, then trickle header lines. */
function slowloris(r: Running, client: number): void {
  const socket = connect({ ...target, localAddress: clientAddress(r.spec.block, client) });
  r.sockets.add(socket);
  r.inflight++;
  const started = performance.now();
  let line = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return;
    socket.write(`X-Slow-${line++}: ${r.rng.int(1e9)}\r\n`);
  }, 2000 / speed);
  socket.on('connect', () =>
    socket.write(`GET ${r.route.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${STREAM_HEADER}: ${r.spec.name}\r\n`),
  );
  const end = (status: number): void => {
    clearInterval(timer);
    if (!r.sockets.delete(socket)) return;
    r.inflight--;
    r.s.done++;
    r.hist.record((performance.now() - started) * speed);
    if (status === 0) r.s.errors++;
    else if (status < 500) r.s.c4xx++;
    else r.s.c5xx++;
    if (status === 403 || status === 429) r.s.blocked++;
  };
  socket.on('data', (d: Buffer) => {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(d.toString('latin1'));
    end(m ? Number(m[1]) : 0);
    socket.destroy();
  });
  socket.on('close', () => end(0));
  socket.on('error', () => end(0));
}

/** Sends everything that is due; reschedules itself. */
function tick(): void {
  const now = performance.now();
  for (const r of streams.values()) {
    const elapsed = (now - r.startWall) * speed;
    while (r.next !== undefined && r.next <= elapsed) {
      r.s.lagMs = Math.max(r.s.lagMs, (elapsed - r.next) / speed);
      try {
        send(r);
      } catch {
        // A request Node refuses to even write (e.g. a header it deems invalid) is a client error,
        // never a reason to stop the stream.
        r.s.errors++;
        r.s.done++;
      }
      r.next = r.schedule.next();
    }
    if (r.next === undefined && r.inflight === 0) stop(r.spec.name);
  }
  setTimeout(tick, 1);
}

/** The stream's measurements since the last sample; resets them. */
function sample(r: Running): StreamSample {
  const out: StreamSample = {
    name: r.spec.name,
    ...r.s,
    inflight: r.inflight,
    hist: r.hist.toData(),
    histMax: r.hist.max,
    histSum: r.hist.sum,
    ...(r.spec.builder === 'normal' ? {} : { clients: [...r.clientsSeen] }),
  };
  r.s = fresh();
  r.hist = new Histogram();
  r.clientsSeen.clear();
  return out;
}

function report(): void {
  if (streams.size) post({ op: 'stats', wallMs: Date.now(), samples: [...streams.values()].map(sample) });
}

parentPort!.on('message', (msg: ToWorker) => {
  switch (msg.op) {
    case 'config': {
      const u = new URL(msg.target);
      target = { host: u.hostname, port: Number(u.port) };
      hostHeader = u.host;
      speed = msg.speed;
      break;
    }
    case 'start':
      start(msg.stream);
      break;
    case 'rate': {
      const r = streams.get(msg.name);
      if (r) r.schedule.setRate((performance.now() - r.startWall) * speed, msg.rate);
      if (r && r.next === undefined) r.next = r.schedule.next();
      break;
    }
    case 'stop':
      stop(msg.name);
      break;
  }
});

setTimeout(tick, 1);
setInterval(report, 1000);
post({ op: 'ready' });
