import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../clock.ts';
import { keyMatches, PropagationTracker, quantile, type Propagation } from './propagation.ts';

function tracker(deadlineMs = 1000) {
  const clock = new ManualClock(1_000_000);
  const done: Propagation[] = [];
  const t = new PropagationTracker({ clock, deadlineMs, onDone: (p) => done.push(p) });
  return { clock, done, t };
}

test('key filters follow NATS subject wildcards', () => {
  assert.ok(keyMatches('catalog.>', 'catalog.latencyFactor'));
  assert.ok(!keyMatches('catalog.>', 'catalog'));
  assert.ok(keyMatches('*.latencyFactor', 'cart.latencyFactor'));
  assert.ok(!keyMatches('*.latencyFactor', 'scaling.cart.latencyFactor'));
  assert.ok(keyMatches('>', 'a.b.c'));
  assert.ok(keyMatches(['a.b', 'c'], 'c'));
  assert.ok(!keyMatches('a.b', 'a.b.c'));
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2);
  assert.equal(quantile([1, 2, 3, 4], 0.99), 4);
});

test('a change is summarised once every subscriber applied it, with p50 and max delay', () => {
  const { clock, done, t } = tracker();
  t.register('cell:a', ['a.latencyFactor']);
  t.register('cell:b', 'b.>');
  t.register('policy:all', '>');
  const at = clock.now();
  // The cell's report may arrive before the engine's own watcher saw the change.
  t.applied({ key: 'a.latencyFactor', revision: 7, subscriber: 'cell:a', appliedAt: at + 2, changedAt: at });
  t.changed('a.latencyFactor', 7, at, 'api');
  assert.equal(done.length, 0, 'still waiting for policy:all');
  t.applied({ key: 'a.latencyFactor', revision: 7, subscriber: 'policy:all', appliedAt: at + 0.5, changedAt: at });
  assert.equal(done.length, 1);
  const p = done[0]!;
  assert.equal(p.subscribers, 2, 'cell:b does not watch a.*');
  assert.equal(p.applied, 2);
  assert.equal(p.complete, true);
  assert.equal(p.p50Ms, 0.5);
  assert.equal(p.maxMs, 2);
  assert.equal(p.slowest, 'cell:a');
  assert.deepEqual(p.missing, []);
  assert.equal(p.author, 'api');
  assert.deepEqual(t.last('a.latencyFactor'), p);
});

test('a subscriber that never applies is reported missing at the deadline; unregistering releases it', async () => {
  const { clock, done, t } = tracker(1000);
  t.register('cell:a', 'a.>');
  t.register('cell:slow', 'a.>');
  t.changed('a.x', 1, clock.now(), 'ui');
  t.applied({ key: 'a.x', revision: 1, subscriber: 'cell:a', appliedAt: clock.now() + 1, changedAt: clock.now() });
  await clock.advance(999);
  assert.equal(done.length, 0);
  await clock.advance(1);
  assert.equal(done.length, 1);
  assert.equal(done[0]!.complete, false);
  assert.deepEqual(done[0]!.missing, ['cell:slow']);

  t.changed('a.x', 2, clock.now(), 'ui');
  t.applied({ key: 'a.x', revision: 2, subscriber: 'cell:a', appliedAt: clock.now(), changedAt: clock.now() });
  t.unregister('cell:slow');
  assert.equal(done.length, 2);
  assert.equal(done[1]!.complete, true, 'the removed cell is no longer waited for');
  assert.equal(clock.pending, 0, 'no deadline left behind');
});

test('skipped reports and zero subscribers', () => {
  const { clock, done, t } = tracker();
  t.register('cell:a', 'a.>');
  t.changed('a.other', 3, clock.now(), 'api');
  t.applied({ key: 'a.other', revision: 3, subscriber: 'cell:a', appliedAt: clock.now(), changedAt: clock.now(), skipped: true });
  assert.equal(done.length, 1);
  assert.equal(done[0]!.subscribers, 0);
  assert.equal(done[0]!.p50Ms, null);
  t.changed('nobody.watches', 4, clock.now(), 'api');
  assert.equal(done.length, 2, 'finished at once');
  assert.equal(done[1]!.complete, true);
});

test('delays are reported in wall milliseconds when the clock runs faster', () => {
  const clock = Object.assign(new ManualClock(0), { speed: 10 }) as unknown as ManualClock;
  const done: Propagation[] = [];
  const t = new PropagationTracker({ clock, onDone: (p) => done.push(p) });
  t.register('s', '>');
  t.changed('k', 1, 0, 'api');
  t.applied({ key: 'k', revision: 1, subscriber: 's', appliedAt: 50, changedAt: 0 });
  assert.equal(done[0]!.maxMs, 5);
});
