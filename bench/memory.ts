/**
 * Engine memory: `petri serve` growing 50 cells × 3 replicas (10 routes → 10 front cells, each
 * calling two of 20 mid cells, each calling one of 20 leaf cells) under 400 req/s of real HTTP from
 * the engine's own load generator. RSS of the engine process (the generator's worker thread is
 * inside it; nats-server is a separate process and reported beside it) sampled every second.
 * Baselines in the same run: a bare `node` process, and the demo organism (7 cells) idle.
 * Bar: < 400 MB RSS. `npm run bench -- memory [--seconds N] [--rate N]`
 */
import { readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ApiClient } from '../engine/api/client.ts';
import { bar, serve, sleep, table, tmp } from './lib.ts';

const MB = 1024 * 1024;

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** The nats-server the engine spawned (its child), if any. */
async function natsChild(pid: number): Promise<number | undefined> {
  const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  for (const c of children.trim().split(/\s+/).filter(Boolean)) {
    const cmd = await readFile(`/proc/${c}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('nats-server')) return Number(c);
  }
  return undefined;
}

export function bigOrganism(): string {
  const op = (calls: string[]) =>
    `    operations:\n      - name: op\n        latency: { p50: 2ms, p99: 8ms }\n` +
    (calls.length ? `        calls: [${calls.map((c) => `{ cell: ${c}, op: op, timeout: 500ms }`).join(', ')}]\n` : '');
  const cell = (name: string, calls: string[]) => `  - name: ${name}\n    replicas: 3\n    concurrency: 16\n${op(calls)}`;
  const cells: string[] = [];
  for (let i = 0; i < 10; i++) cells.push(cell(`front-${i}`, [`mid-${(2 * i) % 20}`, `mid-${(2 * i + 1) % 20}`]));
  for (let i = 0; i < 20; i++) cells.push(cell(`mid-${i}`, [`leaf-${i}`]));
  for (let i = 0; i < 20; i++) cells.push(cell(`leaf-${i}`, []));
  const pathways = Array.from({ length: 10 }, (_, i) => `  - { route: GET /r${i}, to: front-${i}.op }`);
  return `apiVersion: petri/v1\nkind: Organism\nmetadata: { name: big }\ncells:\n${cells.join('')}pathways:\n${pathways.join('\n')}\n`;
}

function bareNodeRss(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 3000); console.log("up")'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.once('data', () => {
      void sleep(300).then(async () => {
        resolve(await rssOf(child.pid!));
        child.kill();
      });
    });
    child.once('error', reject);
  });
}

export async function memory(argv: string[] = []): Promise<void> {
  const flag = (name: string, dflt: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const seconds = flag('seconds', 45);
  const rate = flag('rate', 400);
  const node = await bareNodeRss();

  const demo = await serve(['--data', join(tmp(), 'data')]);
  await sleep(3000);
  const demoRss = await rssOf(demo.child.pid!);
  await demo.stop();

  const dir = tmp();
  const file = join(dir, 'big.yaml');
  await writeFile(file, bigOrganism());
  const s = await serve(['--organism', file, '--data', join(dir, 'data')]);
  const api = new ApiClient(s.ui.replace(/\/$/, ''), s.token);
  await sleep(2000);
  const idle = await rssOf(s.child.pid!);
  for (let i = 0; i < 10; i++)
    await api.request('POST', '/api/traffic', {
      name: `load-${i}`,
      route: `GET /r${i}`,
      rate: `${rate / 10}/s`,
      clients: 20,
      for: `${seconds}s`,
    });
  const samples: number[] = [];
  let nats = 0;
  const natsPid = await natsChild(s.child.pid!);
  for (let t = 0; t < seconds; t++) {
    await sleep(1000);
    samples.push(await rssOf(s.child.pid!));
    if (natsPid) nats = Math.max(nats, await rssOf(natsPid).catch(() => 0));
  }
  const routes = (await api.metrics()).frames.flatMap((f) => f.routes);
  const served = routes.reduce((n, r) => n + r.ok, 0);
  const errors = routes.reduce((n, r) => n + r.c5xx + r.timeouts, 0);
  await s.stop();
  const peak = Math.max(...samples);
  const tail = samples.slice(-10);
  const slope = ((tail.at(-1)! - tail[0]!) / MB / Math.max(1, tail.length - 1)) * 60;
  table('Engine RSS', [
    { what: 'bare node (baseline)', MB: +(node / MB).toFixed(1), vs_node: 1 },
    { what: 'demo organism, 7 cells, idle', MB: +(demoRss / MB).toFixed(1), vs_node: +(demoRss / node).toFixed(2) },
    { what: '50 cells × 3 replicas, idle', MB: +(idle / MB).toFixed(1), vs_node: +(idle / node).toFixed(2) },
    {
      what: `50 × 3 under ${rate} req/s, peak over ${seconds} s`,
      MB: +(peak / MB).toFixed(1),
      vs_node: +(peak / node).toFixed(2),
    },
    { what: 'its nats-server (separate process), peak', MB: +(nats / MB).toFixed(1), vs_node: +(nats / node).toFixed(2) },
  ]);
  console.log(
    `served ${served} requests (5xx/timeouts ${errors}) in the last minute of frames; RSS slope over the last 10 s: ${slope.toFixed(1)} MB/min`,
  );
  bar('engine memory, 50 cells × 3 replicas under load < 400 MB RSS', peak < 400 * MB, `peak ${(peak / MB).toFixed(0)} MB`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await memory(process.argv.slice(2));
  process.exit(0);
}
