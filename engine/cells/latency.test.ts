import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../clock.ts';
import { fitLognormal, sampleLognormal } from './latency.ts';

test('samples of a lognormal fitted to p50/p99 reproduce both quantiles (±3 %)', () => {
  const fit = fitLognormal(20, 120);
  const rng = new Rng(42);
  const xs = Array.from({ length: 200_000 }, () => sampleLognormal(fit, rng)).sort((a, b) => a - b);
  const p50 = xs[Math.floor(xs.length * 0.5)]!;
  const p99 = xs[Math.floor(xs.length * 0.99)]!;
  assert.ok(Math.abs(p50 - 20) / 20 < 0.03, `p50 ${p50}`);
  assert.ok(Math.abs(p99 - 120) / 120 < 0.03, `p99 ${p99}`);
});

test('p99 equal to p50 gives a constant latency', () => {
  const fit = fitLognormal(5, 5);
  const rng = new Rng(1);
  for (let i = 0; i < 100; i++) assert.ok(Math.abs(sampleLognormal(fit, rng) - 5) < 1e-9);
});
