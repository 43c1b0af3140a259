import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { PetriEvent } from '../../engine/api/events.ts';
import { ECHO_ORGANISM, eventually, startEngine } from '../helpers/engine.ts';
import { load } from '../helpers/http.ts';

test('a SIGKILLed nats-server is restarted under load; requests resume; no acknowledged event is lost', async () => {
  await using t = await startEngine({ yaml: ECHO_ORGANISM });
  const { engine } = t;
  const acked = new Set<string>();
  engine.events.onAcked = (events: PetriEvent[]) => events.forEach((e) => acked.add(e.id));

  // Load: 200 req/s through the gateway, and a steady stream of events being published.
  const stop = new AbortController();
  const requests = load(`${t.gateway}/hello`, 200, stop.signal);
  const emitter = setInterval(() => {
    for (let i = 0; i < 20; i++) engine.events.emit('scenario.step', { probe: i });
  }, 10);
  await new Promise((r) => setTimeout(r, 1000));

  const killedAt = performance.now();
  const oldPid = engine.supervisor!.pid;
  const up = once(engine.supervisor!, 'up');
  engine.supervisor!.kill();
  await up;
  const restartedMs = performance.now() - killedAt;
  assert.notEqual(engine.supervisor!.pid, oldPid, 'a new nats-server process');

  await new Promise((r) => setTimeout(r, 3000));
  clearInterval(emitter);
  stop.abort();
  const results = await requests;

  const firstOkAfter = results.find((r) => r.at > killedAt + restartedMs && r.status === 200);
  assert.ok(firstOkAfter, 'requests succeed again after the restart');
  const resumeMs = firstOkAfter.at + firstOkAfter.ms - killedAt;
  assert.ok(resumeMs < 5000, `requests resumed ${resumeMs.toFixed(0)} ms after the kill`);
  const tail = results.filter((r) => r.at > killedAt + 2000);
  const okTail = tail.filter((r) => r.status === 200).length / tail.length;
  assert.ok(okTail > 0.98, `after recovery ${(okTail * 100).toFixed(1)} % of requests succeed`);

  // Everything JetStream acknowledged reaches SQLite.
  assert.ok(await engine.events.flush(10_000), 'the publisher drains its queue after the outage');
  const ids = await eventually(() => {
    const stored = new Set(
      (engine.db.prepare("SELECT json_extract(data, '$.id') AS id FROM events").all() as Array<{ id: string }>).map((r) => r.id),
    );
    return [...acked].every((id) => stored.has(id)) ? stored : undefined;
  }, 10_000);
  assert.ok(ids, `every acknowledged event is stored (${acked.size} acknowledged)`);
  assert.ok(acked.size > 500, `the test published a meaningful number of events (${acked.size})`);
  const types = engine.eventsRepo.query({ types: ['bus.down', 'bus.up'], limit: 10 }).map((e) => e.type);
  assert.deepEqual(types, ['bus.down', 'bus.up']);
  console.log(
    `restart ${restartedMs.toFixed(0)} ms, requests resumed after ${resumeMs.toFixed(0)} ms, ${acked.size} events acknowledged, all stored`,
  );
});
