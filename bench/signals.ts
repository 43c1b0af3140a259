/**
 * Signals bench (`node --import tsx bench/signals.ts [--changes N] [--subscribers N]`).
 *
 * 1. Propagation: one signal watched by 100 subscribers, each a SignalSubscriber on its own NATS
 *    connection — as 100 replicas that are separate processes would watch it (a Petri cell is one
 *    such subscriber: its replicas share the cell's connection and read the value it applied). For
 *    each change: the store validates and writes it, every subscriber validates and applies it and
 *    reports, and the tracker closes the propagation; "all applied" is the slowest subscriber's
 *    delay from the write. Baselines in the same run: a raw KV put → watch delivery on one
 *    connection, and a raw put → delivery to 100 raw watchers on 100 connections.
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
import { quantile, SignalStore, SignalSubscriber } from '../engine/signals/index.ts';
import { openDb, type Db } from '../engine/store/index.ts';

const { values: args } = parseArgs({ options: { changes: { type: 'string' }, subscribers: { type: 'string' } } });
const CHANGES = Number(args.changes ?? 250);
const WARMUP = 25;
const SUBSCRIBERS = Number(args.subscribers ?? 100);
const LOAD = 1000;

const clock = new WallClock();
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.at(-1)! };
};

async function nextTick(): Promise<void> {
  await new Promise((r) => setImmediate(r));
}

/** Raw NATS: put → delivery to `n` plain KV watchers, each on its own connection. */
async function rawFanout(bus: Bus, kv: KV, n: number, rounds: number): Promise<number[]> {
  const conns: NatsConnection[] = [];
  const arrivals = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const nc = await bus.connect(`raw-${i}`);
    conns.push(nc);
    const w = await (await new Kvm(nc).open(SIGNALS_BUCKET)).watch({ key: 'raw.knob', include: 'updates' as never });
    void (async () => {
      for await (const e of w) {
        const list = arrivals.get(e.revision) ?? [];
        list.push(clock.now());
        arrivals.set(e.revision, list);
      }
    })();
  }
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const at = clock.now();
    const rev = await kv.put('raw.knob', String(i));
    while ((arrivals.get(rev)?.length ?? 0) < n) await nextTick();
    if (i >= WARMUP) out.push(Math.max(...arrivals.get(rev)!) - at);
    arrivals.delete(rev);
  }
  await Promise.all(conns.map((c) => c.close()));
  return out;
}

async function propagation(bus: Bus, db: Db) {
  const events = new EventPublisher(bus.nc, clock, silentLogger);
  const store = new SignalStore(bus.signalsKv, clock, events, { nc: bus.nc, db, logger: silentLogger, deadlineMs: 5000 });
  await store.declare([{ key: 'bench.knob', type: 'number', value: 0, min: 0, secret: false }]);
  const subs: SignalSubscriber[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const id = `replica-${i}`;
    const sub = await SignalSubscriber.open(await bus.connect(id), {
      id,
      filter: 'bench.>',
      keys: ['bench.knob'],
      now: () => clock.now(),
      apply: () => true,
      onApplied: (r) => store.cellHooks.onSignalApplied(r),
    });
    store.cellHooks.onSignalWatch(id, ['bench.knob']);
    subs.push(sub);
  }
  const all: number[] = [];
  const each: number[] = [];
  let incomplete = 0;
  for (let i = 1; i <= CHANGES; i++) {
    const s = await store.set('bench.knob', i, 'api');
    let p = store.lastPropagation('bench.knob');
    while (p?.revision !== s.revision) {
      await nextTick();
      p = store.lastPropagation('bench.knob');
    }
    if (i <= WARMUP) continue;
    if (!p.complete) incomplete++;
    all.push(p.maxMs!);
    each.push(...p.delays.map((d) => d.ms));
  }
  subs.forEach((s) => s.stop());
  store.stop();
  await events.flush();
  return { all, each, incomplete };
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
    console.log(`signals bench: ${SUBSCRIBERS} subscribers (own NATS connection each), ${CHANGES - WARMUP} measured changes`);
    const single = await rawFanout(bus, bus.signalsKv, 1, CHANGES);
    const fan = await rawFanout(bus, bus.signalsKv, SUBSCRIBERS, CHANGES);
    const petri = await propagation(bus, db);
    const rows: Array<[string, ReturnType<typeof stats>]> = [
      ['baseline: raw KV put → 1 watcher', stats(single)],
      [`baseline: raw KV put → all ${SUBSCRIBERS} raw watchers`, stats(fan)],
      [`petri: change → all ${SUBSCRIBERS} subscribers applied`, stats(petri.all)],
      ['petri: change → one subscriber applied (each)', stats(petri.each)],
    ];
    for (const [name, s] of rows)
      console.log(`  ${name.padEnd(52)} p50 ${fmt(s.p50).padStart(9)}  p99 ${fmt(s.p99).padStart(9)}  max ${fmt(s.max)}`);
    const p = stats(petri.all);
    console.log(
      `  ratio p99 petri-all / raw-single: ${(p.p99 / stats(single).p99).toFixed(2)}×, / raw-fan-out: ${(p.p99 / stats(fan).p99).toFixed(2)}×`,
    );
    console.log(`  incomplete propagations: ${petri.incomplete}`);
    console.log(`  bar p99 < 20 ms: ${p.p99 < 20 ? 'PASS' : 'FAIL'} (${fmt(p.p99)})`);

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
