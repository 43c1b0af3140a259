import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

test('wall-clock timeouts run in due order, equal delays in the order they were scheduled', async () => {
  const clock = new WallClock();
  const ran: number[] = [];
  // Each timeout's due time lies in [lo, hi]: now() read before and after scheduling it.
  const due: Array<{ lo: number; hi: number; ms: number }> = [];
  const all: Array<Promise<void>> = [];
  for (let i = 0; i < 300; i++) {
    const ms = 5 + 3 * ((i * 7) % 10);
    const lo = clock.now() + ms;
    all.push(new Promise((resolve) => clock.setTimeout(() => resolve(void ran.push(i)), ms)));
    due.push({ lo, hi: clock.now() + ms, ms });
  }
  await Promise.all(all);
  const inversions = ran.slice(1).flatMap((b, k) => {
    const a = ran[k]!;
    const [da, db] = [due[a]!, due[b]!];
    return da.lo > db.hi || (da.ms === db.ms && a > b) ? [[a, b]] : [];
  });
  assert.deepEqual(inversions, []);
  assert.equal(ran.length, 300);
});

test('wall-clock timeouts with one delay run in the order they were scheduled, whatever the loop does', async () => {
  // Scheduled from one turn of the loop, 10 µs apart: Node's timers see one (cached) start time
  // for all of them and fire them up to that turn's length early. The first clock here re-armed
  // the early ones and let later ones pass them: 4–6 of these 20 rounds came out of order.
  const clock = new WallClock();
  const outOfOrder: number[] = [];
  for (let round = 0; round < 20; round++) {
    const ran: number[] = [];
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      for (const until = performance.now() + 0.01; performance.now() < until;);
      all.push(new Promise((resolve) => clock.setTimeout(() => resolve(void ran.push(i)), 15)));
    }
    await Promise.all(all);
    if (ran.some((v, k) => v !== k)) outOfOrder.push(round);
  }
  assert.deepEqual(outOfOrder, []);
});

test('a cancelled wall-clock timeout never runs', async () => {
  const clock = new WallClock();
  const ran: string[] = [];
  const a = clock.setTimeout(() => ran.push('a'), 5);
  clock.setTimeout(() => ran.push('b'), 6);
  a.cancel();
  a.cancel();
  const zero = new Promise<void>((resolve) => clock.setTimeout(resolve, 0));
  await clock.sleep(20);
  await zero;
  assert.deepEqual(ran, ['b']);
});

test('a wall-clock timeout that throws is an uncaught exception and the others still run', () => {
  // In a child process: the test runner turns any uncaught exception into a failure.
  const script = `
    import { WallClock } from ${JSON.stringify(new URL('./clock.ts', import.meta.url).href)};
    process.on('uncaughtException', (e) => console.log('uncaught', e.message));
    const clock = new WallClock();
    clock.setTimeout(() => { throw new Error('boom'); }, 5);
    clock.setTimeout(() => console.log('after'), 5);
    clock.setTimeout(() => console.log('later'), 10);
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(out.trim().split('\n').sort(), ['after', 'later', 'uncaught boom']);
});

test('a cancelled wall-clock timeout no longer keeps the process alive; a NaN delay runs at once', () => {
  // The first heap clock left its Node timer armed for a cancelled timeout: `petri run` of an
  // aborted 40 s scenario waited out the 40 s before exiting.
  const script = `
    import { WallClock } from ${JSON.stringify(new URL('./clock.ts', import.meta.url).href)};
    const clock = new WallClock();
    clock.setTimeout(() => console.log('never'), 60_000).cancel();
    clock.setTimeout(() => console.log('later'), 20);
    clock.setTimeout(() => console.log('nan'), NaN);
    const far = clock.setTimeout(() => console.log('never'), 2 ** 40);
    clock.setTimeout(() => far.cancel(), 30);
  `;
  const started = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.deepEqual(out.trim().split('\n'), ['nan', 'later']);
  assert.ok(performance.now() - started < 10_000, `exited after ${(performance.now() - started).toFixed(0)} ms`);
});
