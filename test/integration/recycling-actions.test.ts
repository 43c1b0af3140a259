// Each recycling action on a real SQLite file and a real nats-server: what it claims to free is
// gone (counted before and after), and nothing else moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../engine/clock.ts';
import type { Engine } from '../../engine/engine.ts';
import { createLogger } from '../../engine/log.ts';
import { Histogram } from '../../engine/metrics/index.ts';
import type { JobSpec } from '../../engine/organism/index.ts';
import { ACTIONS, type ActionContext, type QuarantineStore } from '../../engine/recycling/index.ts';
import { retention, type RollupRow } from '../../engine/store/index.ts';
import { ECHO_ORGANISM, eventually, startEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';
import { tempDir } from '../helpers/tmp.ts';

/** An action context for a job on a live engine; knobs come from the job as written. */
function ctx(engine: Engine, job: Partial<JobSpec> & Pick<JobSpec, 'action'>, over: Partial<ActionContext> = {}): ActionContext {
  const spec: JobSpec = { name: 'test-job', schedule: '* * * * *', ...job };
  return {
    job: spec,
    knobs: { olderThanMs: spec.olderThanMs, idleForMs: spec.idleForMs, maxSize: spec.maxSize, keep: spec.keep },
    now: engine.clock.now(),
    wallNow: Date.now(),
    host: engine,
    quarantines: undefined,
    signal: new AbortController().signal,
    ...over,
  };
}

/** Waits until every emitted event is in SQLite and acknowledged by the store consumer. */
async function settle(engine: Engine): Promise<number> {
  await engine.events.flush(5000);
  const last = (await engine.bus.jsm.streams.info('PETRI_EVENTS')).state.last_seq;
  assert.ok(await engine.persister.waitFor(last, 5000), 'persisted');
  const acked = await eventually(
    async () => (await engine.bus.jsm.consumers.info('PETRI_EVENTS', 'petri-store')).ack_floor.stream_seq >= last,
  );
  assert.ok(acked, 'acknowledged');
  return last;
}

const seqs = (engine: Engine, where: string, ...args: unknown[]): number[] =>
  engine.db
    .prepare(`SELECT seq FROM events WHERE ${where} ORDER BY seq`)
    .pluck()
    .all(...args) as number[];

test('prune-events removes old events from SQLite and the stream, keeps the rest, and the store consumer goes on', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  await using t = await startEngine({ yaml: ECHO_ORGANISM, clock });
  const e = t.engine;
  for (let i = 0; i < 300; i++) e.events.emit('fault.injected', { i });
  await settle(e);
  await clock.advance(10 * 60_000);
  for (let i = 0; i < 200; i++) e.events.emit('fault.cleared', { i });
  await settle(e);
  const cutoff = clock.now() - 5 * 60_000;
  const old = seqs(e, 'time < ?', cutoff);
  const kept = seqs(e, 'time >= ?', cutoff);
  const streamBefore = (await e.bus.jsm.streams.info('PETRI_EVENTS')).state;
  assert.ok(old.length >= 300 && kept.length >= 200, `${old.length} old, ${kept.length} kept`);

  const r = await ACTIONS['prune-events'].run(ctx(e, { action: 'prune-events', olderThanMs: 5 * 60_000 }, { now: clock.now() }));

  assert.equal(r.rows, old.length);
  assert.deepEqual(seqs(e, 'time < ?', cutoff), [], 'no old event left in SQLite');
  assert.deepEqual(seqs(e, 'time >= ?', cutoff), kept, 'every newer event still there');
  const streamAfter = (await e.bus.jsm.streams.info('PETRI_EVENTS')).state;
  assert.equal(r.details!.streamMessages, old.length);
  assert.equal(streamAfter.messages, streamBefore.messages - old.length);
  assert.equal(streamAfter.first_seq, kept[0], 'the stream now starts at the oldest kept event');
  assert.equal(r.details!.streamBytes, streamBefore.bytes - streamAfter.bytes);
  assert.ok(r.bytes >= (r.details!.streamBytes as number) && (r.details!.streamBytes as number) > 0);

  // The durable consumer is unharmed: new events keep arriving in SQLite.
  for (let i = 0; i < 50; i++) e.events.emit('fault.injected', { after: i });
  await settle(e);
  assert.equal(e.eventsRepo.count({ types: ['fault.injected'], from: cutoff }), 50);
  const again = await ACTIONS['prune-events'].run(
    ctx(e, { action: 'prune-events', olderThanMs: 5 * 60_000 }, { now: clock.now() }),
  );
  assert.deepEqual([again.rows, again.details!.streamMessages], [0, 0], 'a second run finds nothing');
});

const MINUTE = 60_000;

function syntheticRows(runId: number, from: number, seconds: number): RollupRow[] {
  const rows: RollupRow[] = [];
  for (let s = 0; s < seconds; s++) {
    const h = new Histogram();
    for (let k = 0; k < 5; k++) h.record(1 + ((s * 7 + k * 13) % 90));
    const base = { runId, t: from + s * 1000, span: 1000, count: 5, ok: 4, c4xx: 1, c5xx: 0, timeouts: 0, blocked: 0 };
    const q = { p50: h.quantile(0.5), p95: h.quantile(0.95), p99: h.quantile(0.99), max: h.max };
    rows.push({ ...base, ...q, scope: 'route', key: 'GET /synthetic', hist: h.toData() });
    rows.push({
      ...base,
      ...q,
      scope: 'cell',
      key: 'synthetic',
      utilization: (s % 10) / 10,
      queue: s % 3,
      replicas: 1 + (s % 4),
    });
  }
  return rows;
}

test('compact-metrics turns whole old minutes into one row per series; window quantiles stay exact; newer rows untouched', async () => {
  await using t = await startEngine({ yaml: ECHO_ORGANISM });
  const e = t.engine;
  const now = Math.round(e.clock.now());
  const olderThan = 15 * MINUTE;
  const cutoff = Math.floor((now - olderThan) / MINUTE) * MINUTE;
  e.metricsRepo.insertMany(syntheticRows(999, cutoff - 3 * MINUTE, 5 * 60)); // 3 old minutes, 2 newer
  const windowBefore = e.metricsRepo.query({ runId: 999, scope: 'route', from: cutoff - 3 * MINUTE, to: cutoff });
  const newerBefore = JSON.stringify(e.metricsRepo.query({ runId: 999, from: cutoff }));
  const engineRowsBefore = JSON.stringify(e.metricsRepo.query({ runId: e.runId, to: now }));
  assert.equal(retention.countRollups(e.db, { before: cutoff, span: 'second' }), 360);

  const r = await ACTIONS['compact-metrics'].run(ctx(e, { action: 'compact-metrics', olderThanMs: olderThan }, { now }));

  assert.equal(r.rows, 360 - 6, 'three minutes × two series became six rows');
  assert.equal(retention.countRollups(e.db, { before: cutoff, span: 'second' }), 0);
  const minutes = e.metricsRepo.query({ runId: 999, to: cutoff });
  assert.deepEqual(
    minutes.map((m) => [m.scope, m.t - cutoff, m.span, m.count]).sort(),
    [-3, -3, -2, -2, -1, -1].map((k, i) => [i % 2 ? 'route' : 'cell', k * MINUTE, MINUTE, 300]).sort(),
  );
  const windowAfter = e.metricsRepo.query({ runId: 999, scope: 'route', from: cutoff - 3 * MINUTE, to: cutoff });
  const merged = (rows: RollupRow[]) => rows.reduce((h, r) => h.mergeData(r.hist!, r.max), new Histogram());
  for (const q of [0.5, 0.95, 0.99]) assert.equal(merged(windowAfter).quantile(q), merged(windowBefore).quantile(q), `q${q}`);
  assert.equal(
    windowAfter.reduce((s, r) => s + r.c4xx, 0),
    windowBefore.reduce((s, r) => s + r.c4xx, 0),
  );
  assert.equal(JSON.stringify(e.metricsRepo.query({ runId: 999, from: cutoff })), newerBefore, 'newer minutes untouched');
  assert.equal(JSON.stringify(e.metricsRepo.query({ runId: e.runId, to: now })), engineRowsBefore, 'the live run untouched');
});

test('rotate-logs rotates by size and age, keeps N generations, and the logger keeps writing', async () => {
  using dir = tempDir();
  const logFile = join(dir.path, 'logs', 'engine.log');
  const logger = createLogger({ file: logFile, stderrLevel: 'error' });
  await using t = await startEngine({ yaml: ECHO_ORGANISM, dataDir: dir.path, logger });
  const e = t.engine;
  const logs = join(dir.path, 'logs');
  writeFileSync(join(logs, 'other.log'), `${JSON.stringify({ t: new Date().toISOString(), msg: 'small' })}\n`);
  const fill = (n: number) => {
    for (let i = 0; i < n; i++) logger.info('filler line to grow the log', { i, pad: 'x'.repeat(60) });
  };
  const natsLog = join(dir.path, 'nats', 'nats-server.log');
  const rotateBySize = () =>
    ACTIONS['rotate-logs'].run(ctx(e, { action: 'rotate-logs', maxSize: 4000, keep: 2 }, { wallNow: Date.now() }));

  fill(60);
  const sizeBefore = statSync(logFile).size;
  const natsBefore = statSync(natsLog).size;
  const r1 = await rotateBySize();
  const rotated = (r1.details!.rotated as Array<{ file: string }>).map((x) => x.file).sort();
  assert.deepEqual(rotated, [logFile, ...(natsBefore >= 4000 ? [natsLog] : [])].sort());
  assert.ok(statSync(`${logFile}.1`).size >= sizeBefore, 'the full log moved to engine.log.1');
  assert.equal(readFileSync(join(logs, 'other.log'), 'utf8').split('\n').length, 2, 'a small log is left alone');
  assert.deepEqual([r1.rows, r1.bytes], [0, 0], 'nothing deleted yet');
  logger.info('written after rotation');
  assert.match(readFileSync(logFile, 'utf8'), /written after rotation/, 'the logger writes to a fresh engine.log');

  const sizes: number[] = [statSync(`${logFile}.1`).size];
  let freed = { rows: 0, bytes: 0 };
  for (let i = 0; i < 3; i++) {
    fill(60);
    const r = await rotateBySize();
    freed = { rows: freed.rows + r.rows, bytes: freed.bytes + r.bytes };
    sizes.unshift(statSync(`${logFile}.1`).size);
  }
  const generations = readdirSync(logs)
    .filter((f) => f.startsWith('engine.log.'))
    .sort();
  assert.deepEqual(generations, ['engine.log.1', 'engine.log.2'], 'keep: 2');
  assert.ok(freed.rows >= 2, `dropped generations counted: ${freed.rows}`);
  assert.ok(freed.bytes >= sizes[2]! + sizes[3]!, 'their bytes counted');

  const byAge = await ACTIONS['rotate-logs'].run(
    ctx(e, { action: 'rotate-logs', olderThanMs: 3_600_000, keep: 2 }, { wallNow: Date.now() + 2 * 3_600_000 }),
  );
  assert.ok((byAge.details!.rotated as Array<{ file: string }>).some((x) => x.file === join(logs, 'other.log')));
  assert.ok(existsSync(join(logs, 'other.log.1')));
});

const withJob = (jobs: string) => `${ECHO_ORGANISM}recycling:\n${jobs}`;

const IDLE_ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: idle }
cells:
  - { name: busy, replicas: 3, scaling: { policy: none, min: 1 }, operations: [ { name: op, latency: { p50: 1ms, p99: 2ms } } ] }
  - { name: idle, replicas: 3, scaling: { policy: none, min: 1 }, operations: [ { name: op, latency: { p50: 1ms, p99: 2ms } } ] }
  - { name: spare, replicas: 2, operations: [ { name: op, latency: { p50: 1ms, p99: 2ms } } ] }
pathways:
  - { route: GET /busy, to: busy.op }
`;

test('decommission-idle scales idle cells to their minimum, then removes them; busy cells stay', async () => {
  await using t = await startEngine({ yaml: IDLE_ORGANISM });
  const e = t.engine;
  const keepBusy = async (ms: number) => {
    const end = Date.now() + ms;
    let ok = 0;
    while (Date.now() < end) if ((await http(`${t.gateway}/busy`)).status === 200) ok++;
    assert.ok(ok > 0, 'the busy cell served');
  };
  // idle and spare have served nothing for 2 s; busy served a moment ago. idleFor 1.2 s leaves
  // room on both sides for a loaded machine.
  await keepBusy(2000);
  const desired = () => Object.fromEntries(e.cells.cells.map((c) => [c.name, c.desired]));
  assert.deepEqual(desired(), { busy: 3, idle: 3, spare: 2 });

  const scaled = await ACTIONS['decommission-idle'].run(ctx(e, { action: 'decommission-idle', idleForMs: 1200 }));
  assert.deepEqual(desired(), { busy: 3, idle: 1, spare: 1 });
  assert.equal(scaled.rows, 3, 'replicas decommissioned');
  const live = (name: string) => e.cells.get(name).replicas.filter((r) => r.state === 'ready').length;
  assert.ok(await eventually(() => live('idle') === 1 && live('spare') === 1, 15_000), 'surplus replicas stopped');
  assert.equal(live('busy'), 3);

  await keepBusy(200);
  const removed = await ACTIONS['decommission-idle'].run(ctx(e, { action: 'decommission-idle', idleForMs: 1200, remove: true }));
  assert.deepEqual(
    e.cells.cells.map((c) => c.name),
    ['busy'],
  );
  assert.equal(removed.rows, 2, 'the last replica of each removed cell');
  const events = await eventually(() => {
    const found = e.eventsRepo.query({ types: ['recycling.decommissioned'] });
    return found.length === 4 ? found : undefined;
  }, 15_000);
  assert.ok(events, 'one recycling.decommissioned event per cell and step');
  assert.deepEqual(
    // Within a step the cells' events may be published in either order.
    events
      .map((ev) => [ev.cell, ev.data.to, ev.data.removed] as const)
      .sort((a, b) => Number(a[2]) - Number(b[2]) || String(a[0]).localeCompare(String(b[0]))),
    [
      ['idle', 1, false],
      ['spare', 1, false],
      ['idle', 0, true],
      ['spare', 0, true],
    ],
  );
  assert.ok(await eventually(() => e.eventsRepo.count({ types: ['cell.removed'] }) === 2), 'the cells reported their removal');
});

const SIGNALS_ORGANISM = `${ECHO_ORGANISM}signals:
  - { key: promo.banner, type: bool, value: false, ttl: 1m }
  - { key: promo.slow, type: number, value: 1, ttl: 10m }
  - { key: limits.max, type: number, value: 10 }
  - { key: temp.key, type: string, value: x }
`;

test('expire-keys lapses signals past their ttl to the declared value and purges old delete markers only', async () => {
  await using t = await startEngine({ yaml: SIGNALS_ORGANISM });
  const e = t.engine;
  const kv = e.bus.signalsKv;
  await e.signals.set('promo.banner', true, 'api');
  await e.signals.set('promo.slow', 3, 'api');
  await e.signals.set('limits.max', 20, 'api');
  const subjects = async () =>
    (await e.bus.jsm.streams.info('KV_petri-signals', { subjects_filter: '>' })).state.subjects ?? ({} as Record<string, number>);

  const r = await ACTIONS['expire-keys'].run(ctx(e, { action: 'expire-keys' }, { now: e.clock.now() + 61_000 }));
  assert.deepEqual(
    (r.details!.expired as Array<{ key: string }>).map((x) => x.key),
    ['promo.banner'],
  );
  assert.equal(e.signals.value('promo.banner'), false, 'lapsed to the declared value');
  assert.equal(e.signals.value('promo.slow'), 3, 'its 10 min ttl has not passed');
  assert.equal(e.signals.value('limits.max'), 20, 'no ttl: never expires');
  assert.equal(r.details!.tombstoneMessagesPurged, 0);

  await e.signals.undeclare(['temp.key']);
  const before = await subjects();
  assert.equal(before['$KV.petri-signals.temp.key'], 2, 'its value and its delete marker');
  const keys = async () => {
    const out: string[] = [];
    for await (const k of await kv.keys()) out.push(k);
    return out.sort();
  };
  const keysBefore = await keys();
  const r2 = await ACTIONS['expire-keys'].run(ctx(e, { action: 'expire-keys', olderThanMs: 0 }, { wallNow: Date.now() + 10 }));
  const after = await subjects();
  assert.deepEqual(r2.details!.tombstoneKeys, ['temp.key']);
  assert.equal(r2.details!.tombstoneMessagesPurged, 2);
  assert.equal(after['$KV.petri-signals.temp.key'], undefined, 'the marker and its history are gone');
  const { ['$KV.petri-signals.temp.key']: _gone, ...others } = before;
  assert.deepEqual(after, others, 'every live key keeps its history');
  assert.deepEqual(await keys(), keysBefore);
  assert.ok(r2.bytes > 0);
});

test('expire-quarantines is a recorded no-op without the immune system, and releases only expired ones with it', async () => {
  await using t = await startEngine({ yaml: ECHO_ORGANISM });
  const e = t.engine;
  const noop = await ACTIONS['expire-quarantines'].run(ctx(e, { action: 'expire-quarantines' }));
  assert.equal(noop.outcome, 'noop');
  assert.match(noop.reason!, /no quarantine store/);

  const now = e.clock.now();
  const held = new Map([
    ['q1', { id: 'q1', client: '10.0.0.1', until: now - 1000 }],
    ['q2', { id: 'q2', client: '10.0.0.2', until: now - 1 }],
    ['q3', { id: 'q3', client: '10.0.0.3', until: now + 60_000 }],
  ]);
  const store: QuarantineStore = {
    expired: (at) => [...held.values()].filter((q) => q.until <= at),
    release: (id) => held.delete(id),
  };
  const r = await ACTIONS['expire-quarantines'].run(ctx(e, { action: 'expire-quarantines' }, { now, quarantines: store }));
  assert.equal(r.rows, 2);
  assert.deepEqual([...held.keys()], ['q3']);
});

test("expire-quarantines releases the immune system's expired quarantines through the live engine", async () => {
  await using t = await startEngine({
    yaml: withJob('  - { name: quarantines, schedule: "0 0 1 1 *", action: expire-quarantines }\n'),
  });
  const e = t.engine;
  const q = e.immune.quarantines;
  const short = q.quarantine('10.9.0.1', 'fp-1', 'rate-abuse', 'test', 1);
  const long = q.quarantine('10.9.0.2', 'fp-2', 'rate-abuse', 'test', 600_000);
  await new Promise((r) => setTimeout(r, 20));
  const run = await e.recycling.run('quarantines', { wait: true });
  assert.deepEqual([run.outcome, run.rows], ['ok', 1]);
  assert.deepEqual(run.details.released, [short.id]);
  assert.equal(q.has('10.9.0.1'), false);
  assert.equal(q.has('10.9.0.2'), true, `${long.id} is not over yet`);
  const released = await eventually(() => {
    const found = e.eventsRepo.query({ types: ['immune.released'] });
    return found.length ? found : undefined;
  }, 15_000);
  assert.ok(released, 'an immune.released event');
  assert.deepEqual(
    released.map((ev) => [ev.data.id, ev.data.reason]),
    [[short.id, 'expired']],
  );
});

test('vacuum returns free pages to the file system and touches no row', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1)); // no collector ticks: the page counts are exact
  await using t = await startEngine({ yaml: ECHO_ORGANISM, clock });
  const e = t.engine;
  await settle(e);
  const payload = 'y'.repeat(800);
  e.eventsRepo.insertMany(
    Array.from({ length: 20_000 }, (_, i) => ({
      seq: 50_000_000 + i,
      id: `v${i}`,
      time: 0,
      type: 'fault.injected',
      data: { payload },
    })),
  );
  e.db.prepare('DELETE FROM events WHERE seq >= 50000000').run();
  const before = retention.pageStats(e.db);
  const events = e.eventsRepo.total();
  assert.ok(before.freePages > 2000, `free pages ${before.freePages}`);

  const r = await ACTIONS.vacuum.run(ctx(e, { action: 'vacuum' }));

  const after = retention.pageStats(e.db);
  assert.equal(after.freePages, 0, 'no free page left');
  assert.equal(r.details!.pagesFreed, before.pageCount - after.pageCount);
  assert.ok((r.details!.pagesFreed as number) >= before.freePages, 'every free page (and the pointer-map pages indexing them)');
  assert.equal(r.bytes, (before.pageCount - after.pageCount) * before.pageSize);
  assert.equal(statSync(e.db.name).size, after.pageCount * after.pageSize, 'the file shrank (WAL checkpointed)');
  assert.equal(e.eventsRepo.total(), events);
});
