import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, Rng, WallClock } from './clock.ts';

test('ManualClock fires timers in time order and only when advanced', async () => {
  const clock = new ManualClock(0);
  const seen: Array<[string, number]> = [];
  clock.setTimeout(() => seen.push(['b', clock.now()]), 20);
  clock.setTimeout(() => seen.push(['a', clock.now()]), 10);
  const every = clock.setInterval(() => seen.push(['i', clock.now()]), 15);
  await clock.advance(9);
  assert.deepEqual(seen, []);
  await clock.advance(31);
  every.cancel();
  assert.deepEqual(seen, [
    ['a', 10],
    ['i', 15],
    ['b', 20],
    ['i', 30],
  ]);
  assert.equal(clock.now(), 40);
  assert.equal(clock.pending, 0);
});

test('sleep resolves on advance and rejects on abort', async () => {
  const clock = new ManualClock(0);
  let done = false;
  const p = clock.sleep(100).then(() => (done = true));
  await clock.advance(99);
  assert.equal(done, false);
  await clock.advance(1);
  await p;
  assert.equal(done, true);
  const ac = new AbortController();
  const q = clock.sleep(100, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(q, /stop/);
});

test('Rng is deterministic per seed and forks are independent of call order', () => {
  const a = new Rng(7);
  const b = new Rng(7);
  assert.deepEqual(
    Array.from({ length: 5 }, () => a.nextUint32()),
    Array.from({ length: 5 }, () => b.nextUint32()),
  );
  const fork1 = new Rng(7).fork('traffic');
  const r = new Rng(7);
  r.next();
  r.next();
  const fork2 = r.fork('traffic');
  assert.equal(fork1.next(), fork2.next());
  assert.notEqual(new Rng(7).fork('x').next(), new Rng(7).fork('y').next());
});

test('WallClock with speed runs engine time faster than wall time', async () => {
  const clock = new WallClock(10);
  const t0 = clock.now();
  const wall0 = performance.now();
  await clock.sleep(200);
  const wall = performance.now() - wall0;
  assert.ok(wall < 150, `200 engine ms at 10× took ${wall} wall ms`);
  assert.ok(clock.now() - t0 >= 195);
});

test('a wall-clock timer never fires before its due time on the engine clock', async () => {
  const clock = new WallClock();
  const early: number[] = [];
  await Promise.all(
    Array.from({ length: 40 }, (_, i) => {
      const ms = 5 + (i % 7);
      const due = clock.now() + ms;
      return new Promise<void>((resolve) =>
        clock.setTimeout(() => {
          if (clock.now() < due) early.push(due - clock.now());
          resolve();
        }, ms),
      );
    }),
  );
  assert.deepEqual(early, []);
});
