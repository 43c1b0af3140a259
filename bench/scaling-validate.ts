/**
 * Validates the fast-forward simulator (engine/scaling/simulator.ts) against the live engine on a
 * short scenario: one HPA-scaled cell with no calls behind one route
 * (fixtures/organisms/scaling-validate.yaml), driven minute by minute at the same rates.
 *
 * Live: `petri serve` with the organism (fresh data dir); once the initial replica is ready, the
 * engine's own load generator (Poisson arrivals, 50 clients) is started through the API at the
 * moment just after a controller sync, so the live syncs fall 15 s, 30 s, … into each minute as the
 * simulator's do; at each minute boundary `PATCH /api/traffic/:name` sets the next rate. Per second
 * the cell's replicas (total and ready) come from the metrics frames (`GET /api/metrics`, polled
 * every 20 s; the engine keeps 600); per minute the route's counts come from the frames and its p99
 * from the per-second rollup histograms in the run's SQLite file, merged per minute.
 *
 * Simulated: `simulate()` with the cell spec loaded from the same YAML by the organism loader, the
 * same rates, the default controller settings (as the engine uses), warm start; several seeds, so
 * the simulator's own spread is visible beside the live run.
 *
 * Bar: the mean per-minute relative difference of replica counts and of p99 are each within 15 %.
 * `npm run bench -- scaling-validate` or `node --import tsx bench/scaling-validate.ts
 * [--rates 20,120,120,70,70] [--seeds 5] [--organism FILE --cell NAME --route 'GET /']`
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../engine/api/client.ts';
import type { CellDetail, MetricsFrame } from '../engine/api/schema.ts';
import { Histogram } from '../engine/metrics/index.ts';
import { loadOrganismFile, type CellSpec } from '../engine/organism/index.ts';
import { simulate, type ScalingDecision } from '../engine/scaling/index.ts';
import { openDb } from '../engine/store/index.ts';
import { bar, cpuSeconds, ROOT, serve, sleep, table, tmp } from './lib.ts';

const SYNC_MS = 15_000;

/** What one minute looked like, live or simulated. */
interface Minute {
  /** Mean of the per-second replica count (starting + ready). */
  replicas: number;
  /** Mean of the per-second ready count. */
  ready: number;
  p99: number;
  served: number;
  refused: number;
}

interface Options {
  organism: string;
  cell: string;
  route: string;
  rates: number[];
  seeds: number;
  clients: number;
}

function options(argv: string[]): Options {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    organism: flag('organism') ?? join(ROOT, 'fixtures', 'organisms', 'scaling-validate.yaml'),
    cell: flag('cell') ?? 'web',
    route: flag('route') ?? 'GET /',
    rates: (flag('rates') ?? '20,120,120,70,70').split(',').map(Number),
    seeds: Number(flag('seeds') ?? 5),
    clients: Number(flag('clients') ?? 50),
  };
}

/** Per-second replica counts of a cell, bucketed into minutes after `t0` (a frame belongs to the minute of its midpoint). */
function replicaMinutes(frames: MetricsFrame[], cell: string, t0: number, n: number): Array<{ replicas: number; ready: number }> {
  const sums = Array.from({ length: n }, () => ({ replicas: 0, ready: 0, seconds: 0 }));
  for (const f of frames) {
    const m = Math.floor((f.t + 500 - t0) / 60_000);
    const c = f.cells.find((x) => x.cell === cell);
    if (!c || m < 0 || m >= n) continue;
    sums[m]!.replicas += c.replicas;
    sums[m]!.ready += c.ready;
    sums[m]!.seconds++;
  }
  return sums.map((s) => ({ replicas: s.replicas / Math.max(1, s.seconds), ready: s.ready / Math.max(1, s.seconds) }));
}

/**
 * The route's per-minute counts and p99 from the run's per-second rollups. The gateway's histogram
 * also holds the fast 503s; they sit at its bottom, so the p99 of the served requests is the
 * quantile (refused + 0.99 × served) / all of the merged histogram — the simulator's p99 is over
 * served requests only.
 */
function liveRouteMinutes(dbFile: string, route: string, t0: number, n: number): Array<Omit<Minute, 'replicas' | 'ready'>> {
  const db = openDb(dbFile);
  try {
    const rows = db
      .prepare("SELECT t, ok, c5xx, timeouts, max, hist FROM metric_rollups WHERE scope = 'route' AND key = ? ORDER BY t")
      .all(route) as Array<{ t: number; ok: number; c5xx: number; timeouts: number; max: number; hist: string | null }>;
    const out = Array.from({ length: n }, () => ({ hist: new Histogram(), served: 0, refused: 0 }));
    for (const r of rows) {
      const m = Math.floor((r.t + 500 - t0) / 60_000);
      if (m < 0 || m >= n) continue;
      out[m]!.served += r.ok;
      out[m]!.refused += r.c5xx + r.timeouts;
      // The max matters: quantile() caps at it, and mergeData() takes it separately.
      if (r.hist) out[m]!.hist.mergeData(JSON.parse(r.hist) as number[], r.max);
    }
    return out.map((m) => {
      const all = m.served + m.refused;
      const q = all ? (m.refused + 0.99 * m.served) / all : 0.99;
      return { p99: m.hist.quantile(q), served: m.served, refused: m.refused };
    });
  } finally {
    db.close();
  }
}

/** Replica changes as "+Ns a→b". */
function changes(decisions: ScalingDecision[], t0: number): string {
  return decisions
    .filter((d) => d.desired !== d.current)
    .map((d) => `+${((d.t - t0) / 1000).toFixed(0)}s ${d.current}→${d.desired}`)
    .join(', ');
}

/**
 * The cell's own latency (what the simulator models: arrival at a replica to its answer, without
 * the gateway and NATS hop), from each second's per-replica histograms (`GET /api/cells/:name
 * ?histograms=1` serves only the latest second, so it is polled twice a second and deduplicated by
 * frame time). Rejections are recorded at 0 ms and excluded the same way as at the route.
 */
class CellLatencySampler {
  readonly #seen = new Set<number>();
  readonly #minutes: Array<{ hist: Histogram; rejected: number; seconds: number }>;
  readonly #t0: number;

  constructor(t0: number, n: number) {
    this.#t0 = t0;
    this.#minutes = Array.from({ length: n }, () => ({ hist: new Histogram(), rejected: 0, seconds: 0 }));
  }

  async run(api: ApiClient, cell: string, until: number): Promise<void> {
    while (Date.now() < until) {
      const d = await api.cell(cell, { histograms: true });
      if (d.t !== undefined && !this.#seen.has(d.t)) {
        this.#seen.add(d.t);
        const m = this.#minutes[Math.floor((d.t + 500 - this.#t0) / 60_000)];
        if (m) {
          m.seconds++;
          for (const r of d.replicaStats) {
            m.rejected += r.rejected;
            for (const [ms, count] of r.histogram ?? []) for (let i = 0; i < count; i++) m.hist.record(ms);
          }
        }
      }
      await sleep(400);
    }
  }

  /** Per minute: p50 and p99 of served requests, and how many of its 60 seconds were sampled. */
  minutes(): Array<{ p50: number; p99: number; seconds: number }> {
    return this.#minutes.map((m) => {
      const all = m.hist.count;
      const at = (q: number): number => m.hist.quantile(all ? (m.rejected + q * (all - m.rejected)) / all : q);
      return { p50: at(0.5), p99: at(0.99), seconds: m.seconds };
    });
  }
}

interface Live {
  t0: number;
  minutes: Minute[];
  cellLatency: Array<{ p50: number; p99: number; seconds: number }>;
  decisions: ScalingDecision[];
  overheadMs: number;
  cpu: number;
  load: [number, number];
}

async function waitReady(api: ApiClient, cell: string, replicas: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c = await api.cell(cell);
    if (c.replicaStats.filter((r) => r.state === 'ready').length >= replicas) return;
    await sleep(100);
  }
  throw new Error(`cell ${cell} never had ${replicas} ready replicas`);
}

/** The first sync of the live controller at least `aheadMs` from now (its timer runs every 15 s from engine start). */
async function nextSync(api: ApiClient, cell: string, aheadMs: number): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const v = await api.request<{ decisions: ScalingDecision[] }>('GET', `/api/scaling/${encodeURIComponent(cell)}`);
    const last = v.decisions.at(-1);
    if (last) {
      let t = last.t;
      while (t < Date.now() + aheadMs) t += SYNC_MS;
      return t;
    }
    await sleep(250);
  }
  throw new Error('the live controller made no decision');
}

async function runLive(o: Options): Promise<Live> {
  const dir = tmp('petri-simval-');
  const s = await serve(['--organism', o.organism, '--data', join(dir, 'data')]);
  const api = new ApiClient(s.ui, s.token);
  try {
    const spec = (await api.cell(o.cell)) as CellDetail;
    await waitReady(api, o.cell, spec.desired);
    // Start just after a sync (engine time is wall time at speed 1), so syncs fall at +15 s, +30 s…
    const t0 = (await nextSync(api, o.cell, 2000)) + 200;
    const load0 = loadavg()[0]!;
    const cpu0 = await cpuSeconds(s.child.pid!);
    await sleep(t0 - Date.now());
    const name = 'validate';
    await api.request('POST', '/api/traffic', { name, route: o.route, rate: o.rates[0], clients: o.clients, arrival: 'poisson' });
    const sampler = new CellLatencySampler(t0, o.rates.length);
    const sampling = sampler.run(api, o.cell, t0 + o.rates.length * 60_000 + 1500);
    const frames: MetricsFrame[] = [];
    const poll = async (): Promise<void> => {
      frames.push(...(await api.metrics(frames.at(-1)?.t, ['cells', 'routes'])).frames);
    };
    for (let m = 1; m <= o.rates.length; m++) {
      while (Date.now() < t0 + m * 60_000 - 20_000) {
        await sleep(20_000);
        await poll();
      }
      await sleep(t0 + m * 60_000 - Date.now());
      if (m < o.rates.length) await api.request('PATCH', `/api/traffic/${name}`, { rate: o.rates[m] });
      else await api.request('DELETE', `/api/traffic/${name}`);
    }
    await sleep(2500); // the last second's frame and rollup
    await poll();
    await sampling;
    const cpu = (await cpuSeconds(s.child.pid!)) - cpu0;
    const load1 = loadavg()[0]!;
    const { decisions } = await api.request<{ decisions: ScalingDecision[] }>('GET', `/api/scaling/${o.cell}`);
    await s.stop();
    const n = o.rates.length;
    const reps = replicaMinutes(frames, o.cell, t0, n);
    const route = liveRouteMinutes(join(dir, 'data', 'petri.db'), o.route, t0, n);
    // Gateway + HTTP + NATS hop: route p50 minus the cell's p50, median over busy seconds.
    const gaps = frames
      .map((f) => ({ r: f.routes.find((x) => x.route === o.route), c: f.cells.find((x) => x.cell === o.cell) }))
      .filter((x) => x.r && x.c && x.r.count > 5)
      .map((x) => x.r!.p50 - x.c!.p50)
      .sort((a, b) => a - b);
    return {
      t0,
      minutes: reps.map((r, i) => ({ ...r, ...route[i]! })),
      cellLatency: sampler.minutes(),
      decisions: decisions.filter((d) => d.t >= t0 && d.t <= t0 + n * 60_000),
      overheadMs: gaps[Math.floor(gaps.length / 2)] ?? NaN,
      cpu,
      load: [load0, load1],
    };
  } catch (err) {
    await s.stop();
    throw err;
  }
}

interface Simulated {
  /** Per seed, per minute. */
  runs: Minute[][];
  decisions: ScalingDecision[];
}

async function runSimulated(cell: CellSpec, o: Options, t0: number): Promise<Simulated> {
  const runs: Minute[][] = [];
  let decisions: ScalingDecision[] = [];
  for (let seed = 1; seed <= o.seeds; seed++) {
    const frames: MetricsFrame[] = [];
    const ds: ScalingDecision[] = [];
    const run = await simulate({
      cell,
      rates: o.rates,
      startMs: t0,
      seed,
      sloMs: 1000,
      onFrame: (f) => frames.push(f),
      onDecision: (d) => ds.push(d),
    });
    const reps = replicaMinutes(frames, cell.name, t0, o.rates.length);
    runs.push(run.minutes.map((m, i) => ({ ...reps[i]!, p99: m.p99, served: m.served, refused: m.rejected })));
    if (seed === 1) decisions = ds;
  }
  return { runs, decisions };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const rel = (live: number, sim: number): number => (sim === 0 ? (live === 0 ? 0 : Infinity) : Math.abs(live - sim) / sim);
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

/**
 * The cell with the service time the live engine actually delivered: a lognormal fitted to the live
 * cell's p50 and p99 in the first minute (low load, next to no queueing). Separates what the host
 * adds to every request (timer lateness, event-loop stalls on a busy machine) from the pool and
 * controller model the simulator is there to check.
 */
function calibratedCell(cell: CellSpec, live: Live): CellSpec {
  const first = live.cellLatency[0]!;
  const [op, ...rest] = cell.operations;
  if (!op || !(first.p50 > 0)) return cell;
  return { ...cell, operations: [{ ...op, p50Ms: first.p50, p99Ms: Math.max(first.p50, first.p99) }, ...rest] };
}

/** Diagnostic, not the bar: the simulator given the live service time, against the live cell. */
function calibrated(sim: Simulated, live: Live, spec: CellSpec): void {
  const n = live.minutes.length;
  const simMean = (i: number, k: keyof Minute): number => mean(sim.runs.map((r) => r[i]![k]));
  const repDiff: number[] = [];
  const p99Diff: number[] = [];
  const rows = live.minutes.map((l, i) => {
    repDiff.push(rel(l.replicas, simMean(i, 'replicas')));
    p99Diff.push(rel(live.cellLatency[i]!.p99, simMean(i, 'p99')));
    return {
      min: i,
      replicas_live: l.replicas,
      replicas_cal: simMean(i, 'replicas'),
      p50_cell_live: live.cellLatency[i]!.p50,
      p99_cell_live: Math.round(live.cellLatency[i]!.p99),
      p99_cal: Math.round(simMean(i, 'p99')),
      refused_live: l.refused,
      refused_cal: Math.round(simMean(i, 'refused')),
      seconds_sampled: live.cellLatency[i]!.seconds,
      Δrep: pct(repDiff.at(-1)!),
      'Δp99(cell)': pct(p99Diff.at(-1)!),
    };
  });
  const op = spec.operations[0]!;
  const first = live.cellLatency[0]!;
  table(
    `Diagnostic: simulator with the live minute-0 service time (p50 ${first.p50.toFixed(1)} / p99 ${first.p99.toFixed(1)} ms ` +
      `measured at the cell, manifest ${op.p50Ms} / ${op.p99Ms} ms) vs the live cell`,
    rows,
  );
  console.log(
    `calibrated agreement (${n} minutes): replicas ${pct(mean(repDiff))} (worst ${pct(Math.max(...repDiff))}), ` +
      `cell p99 ${pct(mean(p99Diff))} (worst ${pct(Math.max(...p99Diff))})`,
  );
}

export async function scalingValidate(argv: string[] = []): Promise<void> {
  const o = options(argv);
  const loaded = await loadOrganismFile(o.organism);
  const cell = loaded.spec.cells.find((c) => c.name === o.cell);
  if (!cell) throw new Error(`no cell '${o.cell}' in ${o.organism}`);
  console.log(
    `live vs simulated: cell ${cell.name} (concurrency ${cell.concurrency}, queue ${cell.queue}, startup ${cell.startupMs} ms, ` +
      `${cell.scaling.policy} ${cell.scaling.min}–${cell.scaling.max} at ${cell.scaling.targetUtilization}), ` +
      `Poisson ${o.rates.join(', ')} req/s per minute; ${o.seeds} simulator seeds`,
  );
  const live = await runLive(o);
  const sim = await runSimulated(cell, o, live.t0);
  const simMean = (i: number, k: keyof Minute): number => mean(sim.runs.map((r) => r[i]![k]));
  const simRange = (i: number, k: keyof Minute): string => {
    const xs = sim.runs.map((r) => r[i]![k]);
    return `${Math.min(...xs).toFixed(k === 'p99' ? 0 : 2)}–${Math.max(...xs).toFixed(k === 'p99' ? 0 : 2)}`;
  };
  const repDiff: number[] = [];
  const p99Diff: number[] = [];
  const rows = o.rates.map((rate, i) => {
    const l = live.minutes[i]!;
    repDiff.push(rel(l.replicas, simMean(i, 'replicas')));
    p99Diff.push(rel(l.p99, simMean(i, 'p99')));
    return {
      min: i,
      rate,
      replicas_live: l.replicas,
      replicas_sim: simMean(i, 'replicas'),
      ready_live: l.ready,
      ready_sim: simMean(i, 'ready'),
      p99_live: Math.round(l.p99),
      p99_cell_live: Math.round(live.cellLatency[i]!.p99),
      p99_sim: Math.round(simMean(i, 'p99')),
      p99_sim_range: simRange(i, 'p99'),
      served_live: l.served,
      served_sim: Math.round(simMean(i, 'served')),
      refused_live: l.refused,
      refused_sim: Math.round(simMean(i, 'refused')),
      Δrep: pct(repDiff.at(-1)!),
      Δp99: pct(p99Diff.at(-1)!),
    };
  });
  table('Per minute: live engine vs simulator (mean over seeds; p99 in ms, of served requests)', rows);
  console.log(`\nreplica changes, live:          ${changes(live.decisions, live.t0) || 'none'}`);
  console.log(`replica changes, sim (seed 1):  ${changes(sim.decisions, live.t0) || 'none'}`);
  console.log(
    `gateway + HTTP + NATS overhead at the median (route p50 − cell p50, median over seconds): ${live.overheadMs.toFixed(1)} ms`,
  );
  const totals = (get: (m: Minute) => number): [number, number] => [
    live.minutes.reduce((s, m) => s + get(m), 0),
    o.rates.reduce((s, _, i) => s + mean(sim.runs.map((r) => get(r[i]!))), 0),
  ];
  const [repLive, repSim] = totals((m) => m.replicas);
  const [servedLive, servedSim] = totals((m) => m.served);
  const [refusedLive, refusedSim] = totals((m) => m.refused);
  console.log(
    `overall: replica-minutes live ${repLive.toFixed(2)} vs sim ${repSim.toFixed(2)} (${pct(rel(repLive, repSim))}); ` +
      `served ${servedLive} vs ${Math.round(servedSim)}; refused ${refusedLive} vs ${Math.round(refusedSim)}`,
  );
  console.log(
    `engine process CPU during the run ${live.cpu.toFixed(1)} s over ${o.rates.length * 60} s; ` +
      `load average (1 min) ${live.load[0].toFixed(2)} at start, ${live.load[1].toFixed(2)} at end (2-core machine shared)`,
  );
  calibrated(await runSimulated(calibratedCell(cell, live), o, live.t0), live, cell);
  const repMean = mean(repDiff);
  const p99Mean = mean(p99Diff);
  bar(
    'replica counts and p99 agree within 15 %',
    repMean <= 0.15 && p99Mean <= 0.15,
    `mean per-minute |live − sim| / sim: replicas ${pct(repMean)} (worst ${pct(Math.max(...repDiff))}), ` +
      `p99 ${pct(p99Mean)} (worst ${pct(Math.max(...p99Diff))})`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await scalingValidate(process.argv.slice(2));
  process.exit(0);
}
