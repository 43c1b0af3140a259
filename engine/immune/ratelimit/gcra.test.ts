import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gcra } from './gcra.ts';

test('a burst passes at once, then exactly the rate', () => {
  const g = new Gcra(10, 5); // 10/s, burst 5
  let allowed = 0;
  for (let i = 0; i < 20; i++) if (g.take('a', 0).allowed) allowed++;
  assert.equal(allowed, 5, 'the burst');
  // Over the next second, one request every 100 ms conforms.
  allowed = 0;
  for (let t = 1; t <= 1000; t++) if (g.take('a', t).allowed) allowed++;
  assert.equal(allowed, 10);
});

test('refusals say when to retry; keys are independent', () => {
  const g = new Gcra(2, 1);
  assert.ok(g.take('a', 0).allowed);
  const r = g.take('a', 100);
  assert.equal(r.allowed, false);
  assert.equal(r.retryAfterMs, 400);
  assert.ok(g.take('b', 100).allowed, 'another client is not affected');
  assert.ok(g.take('a', 500).allowed);
});

test('a steady client at the rate is never refused; at twice the rate half are', () => {
  const g = new Gcra(50, 10);
  let refused = 0;
  for (let t = 0; t < 10_000; t += 20) if (!g.take('steady', t).allowed) refused++;
  assert.equal(refused, 0);
  let passed = 0;
  for (let t = 0; t < 10_000; t += 10) if (g.take('double', t).allowed) passed++;
  assert.ok(Math.abs(passed - (500 + 9)) <= 1, `${passed} of 1000 passed`);
});

test('rate changes apply live', () => {
  const g = new Gcra(1, 1);
  assert.ok(g.take('a', 0).allowed);
  assert.equal(g.take('a', 100).allowed, false);
  g.configure(100, 1);
  assert.ok(g.take('a', 1000).allowed);
  assert.ok(g.take('a', 1010).allowed);
  assert.equal(g.rps, 100);
});
