/**
 * Signals bench (`node --import tsx bench/signals.ts [--changes N]`).
 *
 * 1. Propagation of one signal to 100 subscribers, counted two ways:
 *    - 20 watchers × 5 replicas: 20 SignalSubscribers, each on its own NATS connection (a Petri
 *      cell), each applying the change to 5 replicas that report separately — Petri's model,
 *      where a cell's replicas share the cell's connection;
 *    - 100 watchers × 1: 100 SignalSubscribers on 100 connections, as if each replica were its
 *      own process — all in this one Node process, so it mostly measures NATS client work.
 *    For each change the store validates and writes it, each watcher validates and applies it,
 *    each replica reports, and the tracker closes the propagation; "all applied" is the slowest
 *    replica's delay from the write. Baselines in the same run: a raw KV put → watch delivery on
 *    one connection, and a raw put → delivery to the same number of raw watchers.
 *    Changes are paced ({@link GAP_MS} apart) for every measurement.
 * 2. Loading: 1,000 signals declared at start, cold (empty bucket) and warm (a restart: values
 *    already there), against 1,000 acknowledged raw KV puts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { Bus, EventPublisher, NatsSupervisor, SIGNALS_BUCKET } from '../engine/bus/index.ts';
import { WallClock } from '../engine/clock.ts';
import { silentLogger } from '../engine/log.ts';
import type { SignalSpec } from '../engine/organism/index.ts';
import { quantile, SignalStore, SignalSubscriber, type Propagation } from '../engine/signals/index.ts';
import { openDb, type Db } from '../engine/store/index.ts';

const { values: args } = parseArgs({ options: { changes: { type: 'string' } } });
const CHANGES = Number(args.changes ?? 250);
const WARMUP = 25;
/** Pause between changes, for the baselines and Petri alike: the work a change leaves behind (its
 * events, its history row) is done before the next one starts, as with changes a person or a
 * scenario makes — tens per second at most, not hundreds. */
const GAP_MS = 10;
const gap = () => new Promise((r) => setTimeout(r, GAP_MS));
const LOAD = 1000;

const clock = new WallClock();
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.at(-1)! };
};

/** Raw NATS: put → delivery (value decoded) to `n` plain KV watchers, each on its own connection. */
async function rawFanout(bus: Bus, kv: KV, n: number, rounds: number): Promise<number[] & { cpuMs: number }> {
  const conns: NatsConnection[] = [];
  const arrivals = new Map<number, number[]>();
  let waiting: { revision: number; done: () => void } | undefined;
  const arrived = (revision: number): void => {
    const list = arrivals.get(revision) ?? [];
    list.push(clock.now());
    arrivals.set(revision, list);
    if (waiting?.revision === revision && list.length === n) waiting.done();
  };
  for (let i = 0; i < n; i++) {
    const nc = await bus.connect(`raw-${i}`);
    conns.push(nc);
    const w = await (await new Kvm(nc).open(SIGNALS_BUCKET)).watch({ key: 'raw.knob', include: 'updates' as never });
    void (async () => {
      for await (const e of w) if (e.json<number>() >= 0) arrived(e.revision);
    })();
  }
  const out: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) {
    const at = clock.now();
    const all = new Promise<void>((done) => (waiting = { revision: -1, done }));
    const rev = await kv.put('raw.knob', String(i));
    waiting!.revision = rev;
    if ((arrivals.get(rev)?.length ?? 0) < n) await all;
    if (i >= WARMUP) out.push(Math.max(...arrivals.get(rev)!) - at);
    arrivals.delete(rev);
    await gap();
  }
  const cpu = process.cpuUsage(cpu0);
  await Promise.all(conns.map((c) => c.close()));
  return Object.assign(out, { cpuMs: (cpu.user + cpu.system) / 1000 / rounds });
}

async function propagation(bus: Bus, db: Db, watchers: number, replicas: number) {
  const events = new EventPublisher(bus.nc, clock, silentLogger);
  const store = new SignalStore(bus.signalsKv, clock, events, { nc: bus.nc, db, logger: silentLogger, deadlineMs: 5000 });
  const key = `bench.knob${watchers}x${replicas}`;
  await store.declare([{ key, type: 'number', value: 0, min: 0, secret: false }]);
  const subs: SignalSubscriber[] = [];
  const conns: NatsConnection[] = [];
  for (let w = 0; w < watchers; w++) {
    const ids = Array.from({ length: replicas }, (_, r) => `cell-${w}-replica-${r}`);
    ids.forEach((id) => store.cellHooks.onSignalWatch(id, [key]));
    const nc = await bus.connect(`watcher-${w}`);
    conns.push(nc);
    const sub = await SignalSubscriber.open(nc, {
      id: `cell-${w}`,
      filter: 'bench.>',
      keys: [key],
      now: () => clock.now(),
      apply: () => true,
      // Each replica reports on its own, with its own time, as a replica process would.
      onApplied: (report) =>
        ids.forEach((id) => store.cellHooks.onSignalApplied({ ...report, subscriber: id, appliedAt: clock.now() })),
    });
    subs.push(sub);
  }
  const all: number[] = [];
  const each: number[] = [];
  let incomplete = 0;
  const finished = new Map<number, Propagation>();
  let waiting: { revision: number; done: () => void } | undefined;
  const unlisten = store.onPropagation((p) => {
    if (p.key !== key) return;
    finished.set(p.revision, p);
    if (waiting?.revision === p.revision) waiting.done();
  });
  const cpu0 = process.cpuUsage();
  for (let i = 1; i <= CHANGES; i++) {
    const done = new Promise<void>((resolve) => (waiting = { revision: -1, done: resolve }));
    const s = await store.set(key, i, 'api');
    waiting!.revision = s.revision;
    if (!finished.has(s.revision)) await done;
    const p = finished.get(s.revision)!;
    finished.delete(s.revision);
    await gap();
    if (i <= WARMUP) continue;
    if (!p.complete || p.applied !== watchers * replicas) incomplete++;
    all.push(p.maxMs!);
    each.push(...p.delays.map((d) => d.ms));
  }
  unlisten();
  const cpu = process.cpuUsage(cpu0);
  subs.forEach((s) => s.stop());
  store.stop();
  await events.flush();
  await Promise.all(conns.map((c) => c.close()));
  return { all, each, incomplete, cpuMs: (cpu.user + cpu.system) / 1000 / CHANGES };
}

async function loading(bus: Bus, db: Db) {
  const specs: SignalSpec[] = Array.from({ length: LOAD }, (_, i) => ({
    key: `load.s${i}`,
    type: 'number',
    value: i,
    min: 0,
    max: 1e6,
    secret: false,
  }));
  const events = { emit: () => '' };
  const cold = new SignalStore(bus.signalsKv, clock, events, { nc: bus.nc, db, logger: silentLogger });
  let t0 = clock.now();
  await cold.declare(specs);
  const coldMs = clock.now() - t0;
  t0 = clock.now();
  cold.stop(); // flushes the queued SQLite history rows
  const historyMs = clock.now() - t0;
  const warm = new SignalStore(bus.signalsKv, clock, events, { nc: bus.nc, db, logger: silentLogger });
  t0 = clock.now();
  await warm.declare(specs);
  const warmMs = clock.now() - t0;
  const ok = warm.list().length === LOAD && warm.value('load.s999') === 999;
  warm.stop();
  t0 = clock.now();
  await Promise.all(specs.map((s) => bus.signalsKv.put(`raw.load.${s.key}`, JSON.stringify({ v: s.value }))));
  const rawMs = clock.now() - t0;
  return { coldMs, warmMs, historyMs, rawMs, ok };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'petri-bench-signals-'));
  const supervisor = new NatsSupervisor({ dir: join(dir, 'nats'), logger: silentLogger, restart: false });
  await supervisor.start();
  const bus = await Bus.open([supervisor.url], silentLogger);
  const db = openDb(join(dir, 'petri.db'));
  try {
    for (const [watchers, replicas] of [
      [20, 5],
      [100, 1],
    ] as const) {
      const n = watchers * replicas;
      console.log(
        `propagation to ${n} subscribers: ${watchers} watchers (own NATS connection each) × ${replicas} replica(s), ${CHANGES - WARMUP} changes`,
      );
      const single = await rawFanout(bus, bus.signalsKv, 1, CHANGES);
      const fan = await rawFanout(bus, bus.signalsKv, watchers, CHANGES);
      const petri = await propagation(bus, db, watchers, replicas);
      const rows: Array<[string, ReturnType<typeof stats>]> = [
        ['baseline: raw KV put → 1 watcher', stats(single)],
        [`baseline: raw KV put → all ${watchers} raw watchers`, stats(fan)],
        [`petri: change → all ${n} subscribers applied`, stats(petri.all)],
        ['petri: change → one subscriber applied (each)', stats(petri.each)],
      ];
      for (const [name, s] of rows)
        console.log(`  ${name.padEnd(52)} p50 ${fmt(s.p50).padStart(9)}  p99 ${fmt(s.p99).padStart(9)}  max ${fmt(s.max)}`);
      const p = stats(petri.all);
      console.log(
        `  ratio p99 petri-all / raw-single: ${(p.p99 / stats(single).p99).toFixed(2)}×, / raw-fan-out: ${(p.p99 / stats(fan).p99).toFixed(2)}×; incomplete: ${petri.incomplete}`,
      );
      console.log(
        `  CPU of this process per change: raw single ${single.cpuMs.toFixed(2)} ms, raw fan-out ${fan.cpuMs.toFixed(2)} ms, petri ${petri.cpuMs.toFixed(2)} ms`,
      );
      console.log(`  bar p99 < 20 ms: ${p.p99 < 20 ? 'PASS' : 'FAIL'} (${fmt(p.p99)})`);
    }

    const l = await loading(bus, db);
    console.log(`load ${LOAD} signals at start:`);
    console.log(`  cold (empty bucket: validate, write, confirm)  ${fmt(l.coldMs)}  (+ SQLite history ${fmt(l.historyMs)})`);
    console.log(`  warm (restart, values already in KV)            ${fmt(l.warmMs)}${l.ok ? '' : '  (WRONG VALUES)'}`);
    console.log(`  baseline: ${LOAD} acknowledged raw KV puts           ${fmt(l.rawMs)}`);
    console.log(
      `  ratio cold / raw puts: ${(l.coldMs / l.rawMs).toFixed(2)}×; warm / raw puts: ${(l.warmMs / l.rawMs).toFixed(2)}×`,
    );
    console.log(`  bar < 200 ms: cold ${l.coldMs < 200 ? 'PASS' : 'FAIL'}, warm ${l.warmMs < 200 ? 'PASS' : 'FAIL'}`);
  } finally {
    await bus.close();
    await supervisor.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
