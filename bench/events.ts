/**
 * Events persisted, NATS → SQLite: 200,000 events are published into PETRI_EVENTS, then the
 * persister drains them into a fresh SQLite file (one transaction per batch). Baselines in the same
 * run: draining the same stream without SQLite, and inserting the same rows without NATS.
 * Bar: ≥ 50,000 events/s. The other end is measured too: the engine's EventPublisher (emit until
 * JetStream acknowledged), in events/s and CPU µs per event, against nats.js's own js.publish.
 */
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { AckPolicy } from '@nats-io/jetstream';
import { Bus, EVENTS_STREAM, EventPublisher, NatsSupervisor } from '../engine/bus/index.ts';
import { WallClock } from '../engine/clock.ts';
import { silentLogger } from '../engine/log.ts';
import { EventPersister, EventsRepo, openDb } from '../engine/store/index.ts';
import type { PetriEvent } from '../engine/api/events.ts';
import { bar, table, tmp } from './lib.ts';

const N = 200_000;

/** CPU time (user + system) of this process since `from`, in microseconds. */
function cpuMicros(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return d.user + d.system;
}

export async function events(): Promise<void> {
  const dir = tmp();
  const sup = new NatsSupervisor({ dir: join(dir, 'nats'), logger: silentLogger, restart: false });
  await sup.start();
  const bus = await Bus.open([sup.url], silentLogger);
  const js = jetstream(bus.nc);
  const enc = new TextEncoder();
  const pending: Array<Promise<unknown>> = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const e: PetriEvent = {
      id: `b-${i}`,
      time: Date.now(),
      type: 'scenario.step',
      runId: 1,
      data: { i, label: 'benchmark event with a little data' },
    };
    pending.push(js.publish('petri.evt.scenario.step', enc.encode(JSON.stringify(e))));
    if (pending.length >= 2000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const publishRate = N / ((performance.now() - t0) / 1000);
  const publishCpuUs = cpuMicros(cpu0) / N;

  // Baseline 1: drain the stream with a consumer, no SQLite.
  await bus.jsm.consumers.add(EVENTS_STREAM, { durable_name: 'raw', ack_policy: AckPolicy.All, max_ack_pending: 50_000 });
  const consumer = await js.consumers.get(EVENTS_STREAM, 'raw');
  let n = 0;
  const t1 = performance.now();
  const msgs = await consumer.consume({ max_messages: 4000 });
  for await (const m of msgs) {
    JSON.parse(new TextDecoder().decode(m.data));
    if (++n % 2000 === 0) m.ack();
    if (n >= N) break;
  }
  const rawConsume = N / ((performance.now() - t1) / 1000);

  // The persister itself.
  const db = openDb(join(dir, 'petri.db'));
  const repo = new EventsRepo(db);
  const persister = new EventPersister(bus, repo, silentLogger);
  const t2 = performance.now();
  await persister.start();
  const info = await bus.jsm.streams.info(EVENTS_STREAM);
  await persister.waitFor(info.state.last_seq, 120_000);
  const persistRate = persister.persisted / ((performance.now() - t2) / 1000);
  await persister.stop();

  // Baseline 2: the same rows straight into SQLite, same batch size, no NATS.
  const db2 = openDb(join(dir, 'plain.db'));
  const repo2 = new EventsRepo(db2);
  const rows = repo.query({ limit: N });
  const t3 = performance.now();
  for (let i = 0; i < rows.length; i += 2000) repo2.insertMany(rows.slice(i, i + 2000));
  const sqliteRate = rows.length / ((performance.now() - t3) / 1000);
  db.close();
  db2.close();

  // The engine's own path: EventPublisher.emit() until JetStream has acknowledged every event.
  const publisher = new EventPublisher(bus.nc, new WallClock(), silentLogger);
  const cpu4 = process.cpuUsage();
  const t4 = performance.now();
  for (let i = 0; i < N; i++) publisher.emit('scenario.step', { i, label: 'benchmark event with a little data' });
  const flushed = await publisher.flush(120_000);
  const emitRate = N / ((performance.now() - t4) / 1000);
  const emitCpuUs = cpuMicros(cpu4) / N;
  await bus.close();
  await sup.stop();
  table(`Events: ${N.toLocaleString()} through JetStream into SQLite`, [
    {
      what: 'engine EventPublisher: emit → acked',
      events_per_s: emitRate,
      cpu_us_per_event: emitCpuUs,
      ratio_to_persist: emitRate / persistRate,
    },
    {
      what: 'raw nats.js js.publish, acked (baseline)',
      events_per_s: publishRate,
      cpu_us_per_event: publishCpuUs,
      ratio_to_persist: publishRate / persistRate,
    },
    {
      what: 'raw JetStream drain, no SQLite (baseline)',
      events_per_s: rawConsume,
      cpu_us_per_event: NaN,
      ratio_to_persist: rawConsume / persistRate,
    },
    {
      what: 'raw SQLite batches, no NATS (baseline)',
      events_per_s: sqliteRate,
      cpu_us_per_event: NaN,
      ratio_to_persist: sqliteRate / persistRate,
    },
    { what: 'persister: NATS → SQLite', events_per_s: persistRate, cpu_us_per_event: NaN, ratio_to_persist: 1 },
  ]);
  if (!flushed) console.log(`EventPublisher: ${publisher.pending} events still unacknowledged after 120 s`);
  bar(
    'events persisted ≥ 50,000/s',
    persistRate >= 50_000,
    `${Math.round(persistRate).toLocaleString()} events/s (${persister.persisted} stored)`,
  );
}
