import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, type BreakerState } from './breaker.ts';

const spec = { errorRatio: 0.5, windowMs: 10_000, minRequests: 10, openForMs: 5000, halfOpenProbes: 2 };

test('stays closed below the minimum number of requests, opens at the error ratio', () => {
  const b = new CircuitBreaker(spec);
  const changes: BreakerState[] = [];
  b.onChange = (s) => changes.push(s);
  for (let i = 0; i < 9; i++) {
    assert.ok(b.allow(i));
    b.record(false, i);
  }
  assert.equal(b.state, 'closed', 'nine failures are below minRequests');
  b.record(false, 10);
  assert.equal(b.state, 'open');
  assert.equal(b.allow(11), false);
  assert.deepEqual(changes, ['open']);
});

test('does not open while errors stay under the ratio', () => {
  const b = new CircuitBreaker(spec);
  for (let i = 0; i < 100; i++) b.record(i % 3 !== 0, i); // 1 in 3 fails: 33 % < 50 %
  assert.equal(b.state, 'closed');
});

test('half-opens after openFor, closes after successful probes, reopens on a failed probe', () => {
  const b = new CircuitBreaker(spec);
  for (let i = 0; i < 10; i++) b.record(false, 0);
  assert.equal(b.state, 'open');
  assert.equal(b.allow(4999), false);
  assert.equal(b.allow(5000), true);
  assert.equal(b.state, 'half-open');
  assert.equal(b.allow(5000), true);
  assert.equal(b.allow(5000), false, 'only two probes at a time');
  b.record(true, 5001);
  b.record(true, 5002);
  assert.equal(b.state, 'closed');
  for (let i = 0; i < 10; i++) b.record(false, 6000);
  assert.equal(b.allow(11_000), true);
  b.record(false, 11_001);
  assert.equal(b.state, 'open', 'a failed probe opens it again');
});

test('old outcomes leave the rolling window', () => {
  const b = new CircuitBreaker(spec);
  for (let i = 0; i < 9; i++) b.record(false, 0);
  for (let i = 0; i < 20; i++) b.record(true, 20_000 + i);
  assert.equal(b.window(20_100).requests, 20);
  assert.equal(b.state, 'closed');
});
