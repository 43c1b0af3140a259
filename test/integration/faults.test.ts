import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { PetriEvent } from '../../engine/api/events.ts';
import { isNamedError } from '../../engine/errors.ts';
import { join } from 'node:path';
import { openDb } from '../../engine/store/index.ts';
import { phaseP50 } from '../helpers/measure.ts';
import { eventually, startEngine } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';
import { http } from '../helpers/http.ts';

const CHAIN = `apiVersion: petri/v1
kind: Organism
metadata: { name: chain }
cells:
  - name: front
    replicas: 2
    concurrency: 32
    operations:
      - name: get
        latency: { p50: 2ms, p99: 4ms }
        calls: [ { cell: back, op: read, timeout: 300ms } ]
  - name: back
    replicas: 2
    concurrency: 32
    memory: { base: 64, limit: 128 }
    operations:
      - { name: read, latency: { p50: 3ms, p99: 6ms } }
pathways:
  - { route: GET /front, to: front.get, timeout: 1s }
  - { route: GET /back, to: back.read, timeout: 500ms }
  - { route: GET /back-patient, to: back.read, timeout: 5s }
`;

async function median(url: string, n = 21): Promise<{ p50: number; statuses: number[] }> {
  const ms: number[] = [];
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await http(url);
    ms.push(r.ms);
    statuses.push(r.status);
  }
  return { p50: ms.sort((a, b) => a - b)[Math.floor(n / 2)]!, statuses };
}

test('latency: +150 ms raises p50 by 150 ms ± 15 %, and p50 returns once cleared', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  await phaseP50(t, '/back', 'GET /back', 500); // warm up
  const before = await phaseP50(t, '/back', 'GET /back', 2000);
  const fault = t.engine.faults.inject({ kind: 'latency', cell: 'back', add: '150ms' });
  const during = await phaseP50(t, '/back', 'GET /back', 2500);
  await t.engine.faults.clear(fault.id);
  const after = await phaseP50(t, '/back', 'GET /back', 2000);
  const added = during - before;
  assert.ok(added > 127.5 && added < 172.5, `p50 ${before.toFixed(1)} → ${during.toFixed(1)} ms (+${added.toFixed(1)})`);
  assert.ok(
    Math.abs(after - before) < Math.max(5, before * 0.5),
    `p50 back to ${after.toFixed(1)} ms (was ${before.toFixed(1)})`,
  );
  assert.equal(t.engine.cells.interceptors.size, 0, 'nothing of the fault is left');
});

test('error: a share of requests fail with the status, only on the targeted operation', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  t.engine.faults.inject({ kind: 'error', cell: 'back', rate: 0.5, status: 503, for: '10s' });
  const { statuses } = await median(`${t.gateway}/back`, 200);
  const failed = statuses.filter((s) => s === 503).length;
  assert.ok(failed > 70 && failed < 130, `${failed}/200 failed`);
  assert.ok(statuses.every((s) => s === 503 || s === 200));
});

test('faults end at their duration; a crash is replaced when its fault ends', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const fault = t.engine.faults.inject({ kind: 'crash', cell: 'back', for: '600ms' });
  const back = t.engine.cells.get('back');
  assert.equal(back.live.length, 1, 'one replica is gone');
  assert.ok(fault.details.replica);
  const restored = await eventually(() => back.live.length === 2 && t.engine.faults.list().length === 0, 3000);
  assert.ok(restored, 'the fault expired and the replica was replaced');
  const events = await eventually(() => {
    const e = t.engine.eventsRepo.query({ types: ['fault.injected', 'replica.crashed', 'fault.cleared'] });
    return e.length === 3 ? e : undefined;
  });
  assert.deepEqual(
    events!.map((e) => e.type),
    ['fault.injected', 'replica.crashed', 'fault.cleared'],
  );
  assert.equal(events![2]!.data.reason, 'expired');
  const lasted = events![2]!.data.lastedMs as number;
  assert.ok(lasted >= 590 && lasted < 900, `lasted ${lasted} ms`);
});

test('hang: requests are accepted and never answered; clearing releases the slots', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const fault = t.engine.faults.inject({ kind: 'hang', cell: 'back' });
  const r = await http(`${t.gateway}/back`);
  assert.equal(r.status, 504, 'the gateway times out');
  assert.ok(r.ms >= 480, `after its 500 ms timeout (${r.ms.toFixed(0)} ms)`);
  const held = t.engine.cells.get('back').replicas.reduce((s, x) => s + x.inflight, 0);
  assert.ok(held >= 1, 'the hung request still holds a slot');
  await t.engine.faults.clear(fault.id);
  const freed = await eventually(() => t.engine.cells.get('back').replicas.every((x) => x.inflight === 0), 1000);
  assert.ok(freed, 'slots released');
  assert.equal((await http(`${t.gateway}/back`)).status, 200);
});

test('partition: calls between the two cells are dropped, the dependent route fails, then heals', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const fault = t.engine.faults.inject({ kind: 'partition', cell: 'front', to: 'back' });
  const during = await http(`${t.gateway}/front`);
  assert.equal(during.status, 504, during.body);
  assert.equal((await http(`${t.gateway}/back`)).status, 200, 'the gateway still reaches back directly');
  await t.engine.faults.clear(fault.id);
  assert.equal((await http(`${t.gateway}/front`)).status, 200);
});

test('throttle: a cell serves no more than its cap; the excess waits', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  t.engine.faults.inject({ kind: 'throttle', cell: 'back', rate: '20/s', for: '10s' });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: 20 }, () => http(`${t.gateway}/back-patient`, { timeoutMs: 5000 })));
  const elapsed = performance.now() - started;
  assert.deepEqual(new Set(results.map((r) => r.status)), new Set([200]));
  // 20 requests at 20/s: the last one starts ~950 ms after the first.
  assert.ok(elapsed > 850 && elapsed < 1600, `20 requests took ${elapsed.toFixed(0)} ms under a 20/s cap`);
});

test('leak: memory grows until the OOM threshold kills the replica; clearing replaces it', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const fault = t.engine.faults.inject({ kind: 'leak', cell: 'back', rate: '200/s' });
  const victim = fault.details.replica as string;
  const crashed = await eventually(() => t.engine.eventsRepo.query({ types: ['replica.crashed'] })[0], 3000);
  assert.ok(crashed, 'the replica was OOM-killed');
  assert.equal(crashed.data.replica, victim);
  assert.equal(crashed.data.reason, 'oom');
  assert.equal(crashed.data.memoryMb, 128);
  await t.engine.faults.clear(fault.id);
  assert.equal(t.engine.cells.get('back').live.length, 2);
});

test('bus outage (pause): requests fail during it, everything recovers, no acknowledged event is lost', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const acked = new Set<string>();
  t.engine.events.onAcked = (events: PetriEvent[]) => events.forEach((e) => acked.add(e.id));
  assert.equal((await http(`${t.gateway}/back`)).status, 200);
  t.engine.faults.inject({ kind: 'bus-outage', for: '1500ms' });
  for (let i = 0; i < 50; i++) t.engine.events.emit('scenario.step', { during: i });
  const during = await http(`${t.gateway}/back`, { timeoutMs: 3000 });
  assert.notEqual(during.status, 200, 'the paused broker cannot carry requests');
  const healed = await eventually(async () => (await http(`${t.gateway}/back`)).status === 200, 8000, 200);
  assert.ok(healed, 'requests succeed again');
  assert.ok(await t.engine.events.flush(10_000));
  const stored = await eventually(() => {
    const ids = new Set(t.engine.eventsRepo.query({ limit: 100_000 }).map((e) => e.id));
    return [...acked].every((id) => ids.has(id)) ? ids : undefined;
  }, 8000);
  assert.ok(stored && acked.size >= 50, `${acked.size} acknowledged events all stored`);
});

test('bus outage (stop): the server process is gone for the duration and comes back', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const sup = t.engine.supervisor!;
  const pid = sup.pid;
  const down = once(sup, 'down');
  t.engine.faults.inject({ kind: 'bus-outage', mode: 'stop', for: '800ms' });
  await down;
  assert.equal(sup.running, false);
  await once(sup, 'up');
  assert.notEqual(sup.pid, pid);
  assert.ok(await eventually(async () => (await http(`${t.gateway}/back`)).status === 200, 5000, 100));
});

test('invalid faults are refused and change nothing', async () => {
  await using t = await startEngine({ yaml: CHAIN });
  const bad = [
    { kind: 'latency', cell: 'back' },
    { kind: 'latency', cell: 'nowhere', add: '10ms' },
    { kind: 'partition', cell: 'front' },
    { kind: 'error', cell: 'back', rate: 5 },
    { kind: 'crash', cell: 'back', replica: 'back-99' },
    { kind: 'melt', cell: 'back' },
    { kind: 'bus-outage' },
    { kind: 'latency', cell: 'back', add: 'slow' },
  ];
  for (const spec of bad) {
    assert.throws(
      () => t.engine.faults.inject(spec),
      (err) => isNamedError(err, 'ValidationError'),
      JSON.stringify(spec),
    );
  }
  assert.equal(t.engine.faults.list().length, 0);
  assert.equal(t.engine.cells.interceptors.size, 0);
  assert.equal(t.engine.cells.get('back').live.length, 2);
});

test('faults left active by a crashed engine are cleared on the next start', async () => {
  using dir = tempDir();
  {
    await using t = await startEngine({ yaml: CHAIN, dataDir: dir.path });
    t.engine.faults.inject({ kind: 'latency', cell: 'back', add: '50ms', name: 'slow-back' });
  }
  // Simulate a crash: re-open the fault's row as if the process had died with it active.
  const db = openDb(join(dir.path, 'petri.db'));
  db.prepare('UPDATE faults SET cleared_at = NULL, reason = NULL').run();
  db.close();
  await using again = await startEngine({ yaml: CHAIN, dataDir: dir.path });
  const cleared = await eventually(() =>
    again.engine.eventsRepo.query({ types: ['fault.cleared'], runId: again.engine.runId }).find((e) => e.data.id === 'slow-back'),
  );
  assert.equal(cleared?.data.reason, 'engine-restart');
  assert.equal(again.engine.faults.list().length, 0);
  const open = again.engine.db.prepare('SELECT COUNT(*) AS n FROM faults WHERE cleared_at IS NULL').get() as { n: number };
  assert.equal(open.n, 0);
});
