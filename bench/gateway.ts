/**
 * Gateway: (1) open-loop 1,000 req/s on the demo organism's GET /products, three runs of 15 s.
 * The demo's cells declare their own latency (catalog.list alone has p99 40 ms), so the bar
 * "gateway p99 < 5 ms" is read as what the gateway adds: each request's latency minus the time
 * its answer spent in the cell (the cell reports it in its reply), which covers routing, the NATS
 * hop both ways, JSON and the response write, on an engine that also runs every cell. End-to-end
 * figures are printed too, and the same load is played again with every cell's latencyFactor at
 * 0 so the whole path (gateway → catalog → inventory + pricing over NATS) is all plumbing.
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
import { bar, serve, sleep, table, tmp } from './lib.ts';

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
  /** The overhead histogram's increase over the measured window (pooled across runs). */
  overheadBuckets: Bucket[];
  clientP99: number;
  clientP50: number;
  sent: number;
  overhead: {
    p50: number;
    p99: number;
    worstSecondP99: number;
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
      worstSecondP99: gw.reduce((m, r) => Math.max(m, r.overheadP99), 0),
      loopDelayP99: lag ? Number(lag[1]) * 1000 : NaN,
    };
    return {
      overheadBuckets: b,
      clientP99: client.p99,
      clientP50: client.p50,
      sent: rows.reduce((n, r) => n + r.count, 0),
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

/** Bucket counts of several windows added up: one histogram over every run's requests. */
function pool(runs: Bucket[][]): Bucket[] {
  return runs[0]!.map(({ le }) => ({ le, n: runs.reduce((sum, r) => sum + (r.find((x) => x.le === le)?.n ?? 0), 0) }));
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

/**
 * Runs of the latency bar, each on a fresh engine. One 15 s run's p99 moves by a millisecond with
 * whatever else the two cores do; the verdict is on every run's requests pooled into one
 * histogram (as one 45 s run would be), and each run is printed beside it.
 */
const RUNS = 3;

export async function gateway(): Promise<void> {
  const open: OpenLoop[] = [];
  for (let i = 0; i < RUNS; i++) open.push(await openLoop(1000, 15));
  const zero = await openLoop(1000, 15, true);
  const all = pool(open.map((r) => r.overheadBuckets));
  const total = all.at(-1)?.n ?? 0;
  const pooled = {
    p50: histogramQuantile(all, 0.5) * 1000,
    p99: histogramQuantile(all, 0.99) * 1000,
    within5ms: (all.find((x) => x.le === 0.005)?.n ?? 0) / Math.max(1, total),
  };
  const row = (run: string, r: OpenLoop) => ({
    run,
    client_p50_ms: r.clientP50,
    client_p99_ms: r.clientP99,
    added_p50_ms: r.overhead.p50,
    added_p99_ms: r.overhead.p99,
    worst_second_added_p99_ms: r.overhead.worstSecondP99,
    loop_delay_p99_ms: r.overhead.loopDelayP99,
    sent: r.sent,
    error_rate: r.errors,
  });
  table(
    `Open loop, 1,000 req/s Poisson, 50 clients, demo GET /products (catalog → inventory + pricing), ${RUNS} runs of 15 s, each on a fresh engine`,
    [
      ...open.map((r, i) => row(String(i + 1), r)),
      {
        run: `${RUNS} runs pooled`,
        client_p50_ms: NaN,
        client_p99_ms: NaN,
        added_p50_ms: pooled.p50,
        added_p99_ms: pooled.p99,
        worst_second_added_p99_ms: Math.max(...open.map((r) => r.overhead.worstSecondP99)),
        loop_delay_p99_ms: NaN,
        sent: open.reduce((n, r) => n + r.sent, 0),
        error_rate: NaN,
      },
      row('latencyFactor 0', zero),
    ],
  );
  console.log(
    'client_*: end to end as the clients saw it (the cells declare p99 40 ms); added_*: what the gateway and its NATS hops add to the cells’ own time (Prometheus petri_gateway_overhead_seconds over the measured window)',
  );
  bar(
    'gateway p99 < 5 ms at 1,000 req/s (demo organism)',
    pooled.p99 < 5,
    `the gateway and its NATS hop add p99 ${pooled.p99.toFixed(2)} ms to the cells' own time over ${total} requests in ${RUNS} runs ` +
      `(${(pooled.within5ms * 100).toFixed(2)} % ≤ 5 ms; p50 ${pooled.p50.toFixed(2)} ms; ` +
      `runs: ${open.map((r) => r.overhead.p99.toFixed(2)).join(', ')} ms); ` +
      `end to end (cells' declared latency included) p99 ${open.map((r) => r.clientP99.toFixed(1)).join(', ')} ms at the clients; ` +
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
