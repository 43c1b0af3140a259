/**
 * Gateway: (1) open-loop 1,000 req/s on the demo organism's GET /products for 15 s — p99 as the
 * clients saw it and as the gateway measured it (bar: < 5 ms); (2) closed-loop throughput with
 * autocannon through the gateway to a zero-latency cell, against a bare node:http server answering
 * the same bytes, measured in the same run.
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

async function openLoop(
  rps: number,
  seconds: number,
): Promise<{ clientP99: number; clientP50: number; sent: number; gatewayP99: number; errors: number }> {
  const s = await serve(['--data', join(tmp(), 'data')]);
  try {
    await sleep(2500); // the demo catalog takes 2 s to start
    // The gateway's own cost: the immune chain has its bench (immune.ts). Left on, its anomaly
    // layer reads 50 clients at 20 req/s each as a flood and the figures would be of 403s.
    await new ApiClient(s.ui, s.token).setImmune(false);
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
    while (Date.now() - started < seconds * 1000 + 1500) {
      await sleep(1000);
      samples.push(gen.take());
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
    return {
      clientP99: client.p99,
      clientP50: client.p50,
      sent: rows.reduce((n, r) => n + r.count, 0),
      gatewayP99,
      errors: client.errorRate,
    };
  } finally {
    await s.stop();
  }
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
  table('Open loop, 1,000 req/s Poisson, 50 clients, demo GET /products (catalog → inventory + pricing), 15 s', [
    { what: 'as clients saw it', p50_ms: open.clientP50, p99_ms: open.clientP99, sent: open.sent, error_rate: open.errors },
    { what: 'as the gateway measured it (max per-second p99)', p50_ms: NaN, p99_ms: open.gatewayP99, sent: NaN, error_rate: NaN },
  ]);
  bar(
    'gateway p99 < 5 ms at 1,000 req/s (demo organism)',
    open.gatewayP99 < 5,
    `gateway-measured p99 ${open.gatewayP99.toFixed(2)} ms; client-side p99 ${open.clientP99.toFixed(2)} ms`,
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
