// Soak bench of cellular recycling: does a long-running organism plateau?
//
//   node --import tsx bench/soak-recycling.ts [--minutes 30] [--rate 500] [--retention 5m]
//        [--events-per-request 1] [--window 10m] [--sample 10s] [--keep]
//
// Runs `petri serve` (the real product path, its own process so its RSS is the engine's) on a
// nats-server of its own, drives an open-loop HTTP load at --rate req/s on the gateway, and — since
// no per-request event exists yet (immune.blocked will be one) — publishes --events-per-request
// events per answered request into PETRI_EVENTS, as a busy immune system would. The organism's
// recycling jobs prune events older than --retention, compact rollups, rotate logs and vacuum.
// Every --sample it records the SQLite file size (db + WAL), the engine's and nats-server's RSS,
// rows and stream bytes. At the end it prints the slope of each over the last --window, the same
// slope over the first retention window (the growth phase, before pruning can bite) as a baseline,
// their ratio, and checks from the recorded runs that no job ever overlapped itself.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ApiClient } from '../engine/api/client.ts';
import type { JobRunView } from '../engine/api/schema.ts';
import { formatDuration, parseDuration } from '../engine/util/units.ts';
import { startServe } from '../test/helpers/cli.ts';
import { startNats } from '../test/helpers/nats.ts';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '500' },
    retention: { type: 'string', default: '5m' },
    'events-per-request': { type: 'string', default: '1' },
    window: { type: 'string', default: '10m' },
    sample: { type: 'string', default: '10s' },
    keep: { type: 'boolean', default: false },
  },
});
const MINUTES = Number(flags.minutes);
const RATE = Number(flags.rate);
const RETENTION_MS = parseDuration(flags.retention)!;
const EVENTS_PER_REQUEST = Number(flags['events-per-request']);
const WINDOW_MS = Math.min(parseDuration(flags.window)!, (MINUTES * 60_000) / 2);
const SAMPLE_MS = parseDuration(flags.sample)!;

function organism(): string {
  const retention = formatDuration(RETENTION_MS);
  return `apiVersion: petri/v1
kind: Organism
metadata: { name: soak }
cells:
  - name: shop
    replicas: 2
    concurrency: 64
    queue: 256
    operations: [ { name: list, latency: { p50: 2ms, p99: 8ms } } ]
pathways:
  - { route: GET /products, to: shop.list }
recycling:
  - { name: event-retention, schedule: "*/30 * * * * *", action: prune-events, olderThan: ${retention} }
  - { name: rollups, schedule: "0 * * * * *", action: compact-metrics, olderThan: ${retention} }
  - { name: vacuum, schedule: "15 * * * * *", action: vacuum }
  - { name: logs, schedule: "45 * * * * *", action: rotate-logs, maxSize: 5000000, keep: 2 }
  - { name: keys, schedule: "0 */5 * * * *", action: expire-keys }
`;
}

interface Sample {
  t: number;
  dbBytes: number;
  engineRss: number;
  natsRss: number;
  events: number;
  rollups: number;
  streamBytes: number;
  requests: number;
}

function rssOf(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function fileBytes(path: string): number {
  let n = 0;
  for (const p of [path, `${path}-wal`])
    try {
      n += statSync(p).size;
    } catch {
      // no WAL right now
    }
  return n;
}

/** Least-squares slope of y over t, per minute. */
function slopePerMinute(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mt = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, y] of points) {
    num += (t - mt) * (y - my);
    den += (t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

/** Open-loop load: `rate` requests per second whatever the answers do; publishes events per answer. */
function startLoad(
  url: string,
  rate: number,
  onAnswer: (status: number, ms: number) => void,
): { stop(): void; stats: () => { sent: number; answered: number; failed: number; shed: number } } {
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let shed = 0;
  let inflight = 0;
  let owed = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    owed += ((now - last) / 1000) * rate;
    last = now;
    for (; owed >= 1; owed--) {
      if (inflight > 2000) {
        shed++; // the client would otherwise grow without bound; counted, not hidden
        continue;
      }
      inflight++;
      sent++;
      const t0 = performance.now();
      const req = request(url, { agent, timeout: 5000 }, (res) => {
        res.resume();
        res.on('end', () => {
          inflight--;
          answered++;
          if ((res.statusCode ?? 0) >= 400) failed++;
          onAnswer(res.statusCode ?? 0, performance.now() - t0);
        });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        inflight--;
        failed++;
      });
      req.end();
    }
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      agent.destroy();
    },
    stats: () => ({ sent, answered, failed, shed }),
  };
}

function overlaps(runs: JobRunView[]): number {
  const ran = runs.filter((r) => r.outcome !== 'skipped' && r.endedAt !== null).sort((a, b) => a.startedAt - b.startedAt);
  let n = 0;
  for (let i = 1; i < ran.length; i++) if (ran[i]!.startedAt < ran[i - 1]!.endedAt!) n++;
  return n;
}

const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'petri-soak-'));
  const file = join(dir, 'soak.yaml');
  writeFileSync(file, organism());
  await using nats = await startNats();
  const serve = await startServe([
    '--organism',
    file,
    '--data',
    join(dir, 'data'),
    '--nats-url',
    nats.url,
    '--port',
    '0',
    '--gateway-port',
    '0',
  ]);
  const api = new ApiClient(serve.ui, serve.token);
  const nc = await connect({ servers: nats.url, name: 'soak-bench' });
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const encoder = new TextEncoder();
  let published = 0;
  let pubInflight = 0;
  const load = startLoad(`${serve.gateway}/products`, RATE, (status, ms) => {
    for (let i = 0; i < EVENTS_PER_REQUEST && pubInflight < 5000; i++) {
      pubInflight++;
      const event = {
        id: `soak-${published}`,
        time: Date.now(),
        type: 'bench.request',
        data: { status, ms: Math.round(ms * 10) / 10 },
      };
      published++;
      js.publish('petri.evt.bench.request', encoder.encode(JSON.stringify(event))).then(
        () => pubInflight--,
        () => pubInflight--,
      );
    }
  });
  const dbFile = join(dir, 'data', 'petri.db');
  const ro = new Database(dbFile, { readonly: true, fileMustExist: true });
  const samples: Sample[] = [];
  const started = Date.now();
  const natsPid = nats.supervisor.pid;
  process.stdout.write(
    `soak: ${MINUTES} min at ${RATE} req/s, event retention ${formatDuration(RETENTION_MS)}, ${EVENTS_PER_REQUEST} event(s) per request\n`,
  );
  process.stdout.write('   min   db MB  engine RSS MB  nats RSS MB   events  rollups  stream MB   req/s\n');
  let lastRequests = 0;
  while (Date.now() - started < MINUTES * 60_000) {
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
    const s: Sample = {
      t: Date.now() - started,
      dbBytes: fileBytes(dbFile),
      engineRss: rssOf(serve.child.pid),
      natsRss: rssOf(natsPid),
      events: ro.prepare('SELECT COUNT(*) FROM events').pluck().get() as number,
      rollups: ro.prepare('SELECT COUNT(*) FROM metric_rollups').pluck().get() as number,
      streamBytes: (await jsm.streams.info('PETRI_EVENTS')).state.bytes,
      requests: load.stats().answered,
    };
    samples.push(s);
    const rps = (s.requests - lastRequests) / (SAMPLE_MS / 1000);
    lastRequests = s.requests;
    process.stdout.write(
      `${(s.t / 60_000).toFixed(2).padStart(6)} ${mb(s.dbBytes).padStart(7)} ${mb(s.engineRss).padStart(14)} ${mb(s.natsRss).padStart(12)} ${String(s.events).padStart(8)} ${String(s.rollups).padStart(8)} ${mb(s.streamBytes).padStart(10)} ${rps.toFixed(0).padStart(7)}\n`,
    );
  }
  load.stop();
  const { jobs } = await api.jobs();
  const runs = await Promise.all(jobs.map(async (j) => ({ job: j, runs: (await api.jobRuns(j.name, { limit: 10_000 })).runs })));
  ro.close();
  await nc.close();
  serve.child.kill('SIGTERM');
  await new Promise((r) => serve.child.once('exit', r));
  report(samples, runs, load.stats(), published, dir);
  if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`data kept in ${dir}\n`);
}

function report(
  samples: Sample[],
  runs: Array<{ job: { name: string; action: string }; runs: JobRunView[] }>,
  load: { sent: number; answered: number; failed: number; shed: number },
  published: number,
  dir: string,
): void {
  const end = samples.at(-1)!.t;
  const last = samples.filter((s) => s.t >= end - WINDOW_MS);
  const growth = samples.filter((s) => s.t <= RETENTION_MS + 60_000);
  const line = (name: string, pick: (s: Sample) => number, unit = 'MB/min', scale = 1024 * 1024): Record<string, number> => {
    const lastSlope = slopePerMinute(last.map((s) => [s.t, pick(s)])) / scale;
    const baseSlope = slopePerMinute(growth.map((s) => [s.t, pick(s)])) / scale;
    const ratio = baseSlope === 0 ? 0 : lastSlope / baseSlope;
    process.stdout.write(
      `${name.padEnd(16)} last ${formatDuration(WINDOW_MS).padEnd(4)} ${lastSlope.toFixed(3).padStart(8)} ${unit}   growth phase ${baseSlope.toFixed(3).padStart(8)} ${unit}   ratio ${ratio.toFixed(3)}   final ${(pick(samples.at(-1)!) / scale).toFixed(1)}\n`,
    );
    return { lastSlope, baseSlope, ratio };
  };
  process.stdout.write(
    '\nslopes (least squares); the growth phase is the first retention window + 1 min, before pruning bites\n',
  );
  const slopes = {
    sqlite: line('SQLite db+WAL', (s) => s.dbBytes),
    engineRss: line('engine RSS', (s) => s.engineRss),
    natsRss: line('nats-server RSS', (s) => s.natsRss),
    events: line('event rows', (s) => s.events, 'rows/min', 1),
    stream: line('stream bytes', (s) => s.streamBytes),
  };
  // RSS follows V8's GC sawtooth: the slope of each minute's lowest sample (the floor after a
  // collection) says more about a leak than the slope through the teeth.
  const floors = (xs: Sample[]): Array<[number, number]> => {
    const byMinute = new Map<number, Sample>();
    for (const x of xs) {
      const m = Math.floor(x.t / 60_000);
      if (!byMinute.has(m) || x.engineRss < byMinute.get(m)!.engineRss) byMinute.set(m, x);
    }
    return [...byMinute.values()].map((x) => [x.t, x.engineRss]);
  };
  process.stdout.write(
    `engine RSS floor (lowest sample per minute): last ${formatDuration(WINDOW_MS)} ${(slopePerMinute(floors(last)) / 1024 / 1024).toFixed(3)} MB/min, whole run ${(slopePerMinute(floors(samples)) / 1024 / 1024).toFixed(3)} MB/min\n`,
  );
  const mean = (xs: Sample[], pick: (s: Sample) => number) => xs.reduce((a, s) => a + pick(s), 0) / Math.max(1, xs.length);
  const previous = samples.filter((s) => s.t >= end - 2 * WINDOW_MS && s.t < end - WINDOW_MS);
  process.stdout.write(
    `means, last ${formatDuration(WINDOW_MS)} vs the ${formatDuration(WINDOW_MS)} before: SQLite ${(
      mean(last, (s) => s.dbBytes) /
      Math.max(
        1,
        mean(previous, (s) => s.dbBytes),
      )
    ).toFixed(3)}×, engine RSS ${(
      mean(last, (s) => s.engineRss) /
      Math.max(
        1,
        mean(previous, (s) => s.engineRss),
      )
    ).toFixed(3)}×\n`,
  );
  // Rows can never exceed what arrives during the retention plus one prune period (30 s).
  const lastRate = (last.at(-1)!.requests - last[0]!.requests) / ((last.at(-1)!.t - last[0]!.t) / 1000);
  const bound = lastRate * EVENTS_PER_REQUEST * ((RETENTION_MS + 30_000) / 1000);
  const maxRows = Math.max(...last.map((s) => s.events));
  process.stdout.write(
    `event rows in the last window: max ${maxRows} vs bound ${bound.toFixed(0)} (${lastRate.toFixed(0)} req/s × ${EVENTS_PER_REQUEST} × (retention + 30 s)): ${maxRows <= bound * 1.1 ? 'within' : 'ABOVE'}\n`,
  );
  const secs = end / 1000;
  process.stdout.write(
    `\nload: ${load.answered} answered (${(load.answered / secs).toFixed(0)}/s), ${load.failed} failed, ${load.shed} shed; ${published} events published\n`,
  );
  let overlapping = 0;
  for (const { job, runs: r } of runs) {
    const ran = r.filter((x) => x.outcome !== 'skipped');
    const o = overlaps(r);
    overlapping += o;
    const durations = ran.filter((x) => x.durationMs !== null).map((x) => x.durationMs!);
    process.stdout.write(
      `job ${job.name.padEnd(16)} ${String(ran.length).padStart(4)} runs  ${String(r.filter((x) => x.outcome === 'failed').length).padStart(2)} failed  ${String(r.length - ran.length).padStart(2)} skipped  ${String(o)} overlapping  freed ${mb(ran.reduce((s, x) => s + x.bytes, 0))} MB / ${ran.reduce((s, x) => s + x.rows, 0)} rows  max ${Math.max(0, ...durations)} ms\n`,
    );
  }
  process.stdout.write(overlapping === 0 ? 'no overlapping runs\n' : `OVERLAPPING RUNS: ${overlapping}\n`);
  const results = join(import.meta.dirname, 'results');
  mkdirSync(results, { recursive: true });
  const out = join(results, `soak-recycling-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    out,
    JSON.stringify(
      { flags, samples, slopes, load, published, jobs: runs.map((r) => ({ job: r.job.name, runs: r.runs.length })), dir },
      null,
      1,
    ),
  );
  process.stdout.write(`results: ${out}\n`);
  if (overlapping) process.exitCode = 1;
}

await main();
