import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../clock.ts';
import { backoffDelay, RetryBudget } from './retry.ts';

test('backoff doubles per attempt, is capped, and jitter only shortens it', () => {
  const spec = { baseMs: 20, maxMs: 200, jitter: 0.5 };
  const rng = new Rng(3);
  for (let attempt = 1; attempt <= 6; attempt++) {
    const raw = Math.min(200, 20 * 2 ** (attempt - 1));
    for (let i = 0; i < 50; i++) {
      const d = backoffDelay(attempt, spec, rng);
      assert.ok(d <= raw && d >= raw * 0.5, `attempt ${attempt}: ${d} not in [${raw / 2}, ${raw}]`);
    }
  }
  assert.equal(backoffDelay(3, { baseMs: 10, maxMs: 1000, jitter: 0 }, rng), 40);
});

test('a retry budget allows ratio × requests plus a floor, per 10 s window', () => {
  const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 0 });
  for (let i = 0; i < 100; i++) budget.request(1000);
  let allowed = 0;
  for (let i = 0; i < 100; i++) if (budget.tryRetry(1000)) allowed++;
  assert.equal(allowed, 20);
  // Eleven seconds later the window has moved on: nothing is left to retry against.
  assert.equal(budget.tryRetry(12_000), false);
});

test('the floor lets a quiet caller retry', () => {
  const budget = new RetryBudget({ ratio: 0, minPerSecond: 1 });
  let allowed = 0;
  for (let i = 0; i < 50; i++) if (budget.tryRetry(0)) allowed++;
  assert.equal(allowed, 10);
});
