/**
 * Gateway: (1) open-loop 1,000 req/s on the demo organism's GET /products for 15 s. The demo's
 * cells declare their own latency (catalog.list alone has p99 40 ms), so the bar "gateway p99
 * < 5 ms" is read as what the gateway adds: each request's latency minus the time its answer
 * spent in the cell (the cell reports it in its reply), which covers routing, the NATS hop both
 * ways, JSON and the response write, on an engine that also runs every cell. End-to-end figures
 * are printed too, and the same load is played again with every cell's latencyFactor at 0 so the
 * whole path (gateway → catalog → inventory + pricing over NATS) is all plumbing.
 * (2) closed-loop throughput with autocannon through the gateway to a zero-latency cell, against
 * a bare node:http server answering the same bytes, measured in the same run.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ApiClient } from '../engine/api/client.ts';
import { silentLogger } from '../engine/log.ts';
import { TrafficGenerator } from '../engine/traffic/index.ts';
import { aggregate } from '../engine/metrics/index.ts';
import { bar, median, serve, sleep, table, tmp } from './lib.ts';

const ECHO = `apiVersion: petri/v1
kind: Organism
metadata: { name: bench }
cells:
  - name: echo
    replicas: 2
    concurrency: 256
    queue: 1024
    operations: [ { name: hello, latency: { p50: 0ms, p99: 0ms }, response: { body: { ok: true } } } ]
pathways:
  - { route: GET /hello, to: echo.hello }
`;

interface OpenLoop {
  clientP99: number;
  clientP50: number;
  sent: number;
  gatewayP99: number;
  overhead: {
    p50: number;
    p99: number;
    within5ms: number;
    worstSecondP99: number;
    medianSecondP99: number;
    loopDelayP99: number;
  };
  errors: number;
}

async function openLoop(rps: number, seconds: number, zeroLatency = false): Promise<OpenLoop> {
  const s = await serve(['--data', join(tmp(), 'data')]);
  try {
    await sleep(2500); // the demo catalog takes 2 s to start
    const setup = new ApiClient(s.ui, s.token);
    // The gateway's own cost: the immune chain has its bench (immune.ts). Left on, its anomaly
    // layer reads 50 clients at 20 req/s each as a flood and the figures would be of 403s.
    await setup.setImmune(false);
    if (zeroLatency) for (const c of await setup.cells()) await setup.setSignal(`${c.name}.latencyFactor`, 0, { note: 'bench' });
    const gen = new TrafficGenerator({ speed: 1, seed: 1, now: () => Date.now(), logger: silentLogger, target: s.gateway });
    await gen.ready;
    const samples: Array<ReturnType<TrafficGenerator['take']>> = [];
    gen.start({
      name: 'load',
      kind: 'traffic',
      route: 'GET /products',
      rate: rps,
      clients: 50,
      law: 'poisson',
      durationMs: seconds * 1000,
    });
    const started = Date.now();
    const scrape = async (): Promise<string> => (await fetch(`${s.ui}/metrics?token=${s.token}`)).text();
    let before = '';
    while (Date.now() - started < seconds * 1000 + 1500) {
      await sleep(1000);
      samples.push(gen.take());
      if (samples.length === 2) before = await scrape(); // the window starts where the client figures do
    }
    await gen.close();
    const rows = samples.flat().map((x) => ({
      t: 0,
      span: 1000,
      count: x.stats.count,
      ok: x.stats.ok,
      c4xx: x.stats.c4xx,
      c5xx: x.stats.c5xx,
      timeouts: x.stats.timeouts,
      blocked: 0,
      max: x.stats.max,
      hist: x.hist,
    }));
    const client = aggregate(rows.slice(2)); // skip the first seconds of connection set-up
    const api = new ApiClient(s.ui, s.token);
    const frames = (await api.metrics()).frames.slice(-seconds + 2);
    const gw = frames.flatMap((f) => f.routes).filter((r) => r.route === 'GET /products');
    const gatewayP99 = gw.reduce((m, r) => Math.max(m, r.p99), 0);
    // What the gateway added over the run, read as a Prometheus user would: the cumulative
    // histogram from /metrics, its increase over the window the client figures cover, and
    // histogram_quantile's interpolation; plus the worst second's p99 from the frames.
    const metrics = await scrape();
    const lag = /petri_engine_event_loop_delay_seconds\{quantile="0.99"\} (\S+)/.exec(metrics);
    const b = increase(
      buckets(before, 'petri_gateway_overhead_seconds', 'GET /products'),
      buckets(metrics, 'petri_gateway_overhead_seconds', 'GET /products'),
    );
    const overhead = {
      p50: histogramQuantile(b, 0.5) * 1000,
      p99: histogramQuantile(b, 0.99) * 1000,
      within5ms: (b.find((x) => x.le === 0.005)?.n ?? 0) / (b.at(-1)?.n ?? 1),
      worstSecondP99: gw.reduce((m, r) => Math.max(m, r.overheadP99), 0),
      medianSecondP99: median(gw.map((r) => r.overheadP99)),
      loopDelayP99: lag ? Number(lag[1]) * 1000 : NaN,
    };
    return {
      clientP99: client.p99,
      clientP50: client.p50,
      sent: rows.reduce((n, r) => n + r.count, 0),
      gatewayP99,
      overhead,
      errors: client.errorRate,
    };
  } finally {
    await s.stop();
  }
}

/** One cumulative bucket of a Prometheus histogram: observations ≤ `le` seconds. */
type Bucket = { le: number; n: number };

function buckets(text: string, family: string, route: string): Bucket[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${family}_bucket{route="${route}",`))
    .map((l) => {
      const m = /le="([^"]+)"\} (\d+)$/.exec(l)!;
      return { le: m[1] === '+Inf' ? Infinity : Number(m[1]), n: Number(m[2]) };
    });
}

/** Bucket counts of `after` minus those of `before` (Prometheus' increase() without resets). */
function increase(before: Bucket[], after: Bucket[]): Bucket[] {
  return after.map(({ le, n }) => ({ le, n: n - (before.find((x) => x.le === le)?.n ?? 0) }));
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket holding the rank. */
function histogramQuantile(b: Bucket[], q: number): number {
  const total = b.at(-1)?.n ?? 0;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const { le, n } of b) {
    if (n >= rank) return le === Infinity ? prevLe : prevLe + ((le - prevLe) * (rank - prevN)) / Math.max(1, n - prevN);
    prevLe = le;
    prevN = n;
  }
  return NaN;
}

function cannon(url: string, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 64, duration: seconds, pipelining: 1 }, (err, r) => {
      if (err) reject(err);
      else resolve({ rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx });
    });
  });
}

async function bareServer(body: string): Promise<{ url: string; stop: () => void }> {
  const code = `const http=require('node:http');const b=${JSON.stringify(body)};http.createServer((q,s)=>{s.writeHead(200,{'content-type':'application/json','content-length':Buffer.byteLength(b),'x-petri-replica':'echo-1'});s.end(b)}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}/hello`, stop: () => child.kill() };
}

export async function gateway(): Promise<void> {
  const open = await openLoop(1000, 15);
  const zero = await openLoop(1000, 15, true);
  table('Open loop, 1,000 req/s Poisson, 50 clients, demo GET /products (catalog → inventory + pricing), 15 s', [
    {
      what: 'end to end, as clients saw it',
      p50_ms: open.clientP50,
      p99_ms: open.clientP99,
      sent: open.sent,
      error_rate: open.errors,
    },
    { what: 'end to end, gateway (max per-second p99)', p50_ms: NaN, p99_ms: open.gatewayP99, sent: NaN, error_rate: NaN },
    {
      what: 'added by gateway + bus (whole run)',
      p50_ms: open.overhead.p50,
      p99_ms: open.overhead.p99,
      sent: NaN,
      error_rate: NaN,
    },
    {
      what: 'added: median second / worst second p99',
      p50_ms: open.overhead.medianSecondP99,
      p99_ms: open.overhead.worstSecondP99,
      sent: NaN,
      error_rate: NaN,
    },
    {
      what: 'engine event-loop delay (since start)',
      p50_ms: NaN,
      p99_ms: open.overhead.loopDelayP99,
      sent: NaN,
      error_rate: NaN,
    },
    {
      what: 'latencyFactor 0: end to end, clients',
      p50_ms: zero.clientP50,
      p99_ms: zero.clientP99,
      sent: zero.sent,
      error_rate: zero.errors,
    },
    {
      what: 'latencyFactor 0: added (whole run)',
      p50_ms: zero.overhead.p50,
      p99_ms: zero.overhead.p99,
      sent: NaN,
      error_rate: NaN,
    },
  ]);
  bar(
    'gateway p99 < 5 ms at 1,000 req/s (demo organism)',
    open.overhead.p99 < 5,
    `the gateway and its NATS hop add p99 ${open.overhead.p99.toFixed(2)} ms to the cells' own time over the run ` +
      `(${(open.overhead.within5ms * 100).toFixed(2)} % of requests ≤ 5 ms; p50 ${open.overhead.p50.toFixed(2)} ms; ` +
      `worst second's p99 ${open.overhead.worstSecondP99.toFixed(2)} ms); ` +
      `end to end (cells' declared latency included) p99 ${open.clientP99.toFixed(2)} ms at the clients; ` +
      `with every cell at latencyFactor 0, end-to-end p99 ${zero.clientP99.toFixed(2)} ms`,
  );

  const dir = tmp();
  writeFileSync(join(dir, 'echo.yaml'), ECHO);
  const s = await serve(['--organism', join(dir, 'echo.yaml'), '--data', join(dir, 'data')]);
  const body = await (await fetch(`${s.gateway}/hello`)).text();
  let viaGateway;
  try {
    await cannon(`${s.gateway}/hello`, 2); // warm up
    viaGateway = await cannon(`${s.gateway}/hello`, 10);
  } finally {
    await s.stop();
  }
  const bare = await bareServer(body);
  const baseline = await cannon(bare.url, 10);
  bare.stop();
  table('Closed loop, autocannon 64 connections, 10 s, same response bytes', [
    { what: 'bare node:http (baseline)', req_per_s: baseline.rps, p99_ms: baseline.p99, errors: baseline.errors, ratio: 1 },
    {
      what: 'petri gateway → NATS → cell (0 ms op)',
      req_per_s: viaGateway.rps,
      p99_ms: viaGateway.p99,
      errors: viaGateway.errors,
      ratio: viaGateway.rps / baseline.rps,
    },
  ]);
}
