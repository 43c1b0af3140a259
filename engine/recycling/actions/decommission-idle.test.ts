import { test } from 'node:test';
import assert from 'node:assert/strict';
import { idleDecision } from './decommission-idle.ts';
import { expiryOf } from './expire-keys.ts';

const cell = (desired: number, lastActivity: number, min = 1) => ({ desired, lastActivity, spec: { scaling: { min } } });

test('idle cells go to their minimum (or away); busy or minimal ones stay', () => {
  assert.deepEqual(idleDecision(cell(4, 0), 120_000, 120_000, false), { to: 1, remove: false });
  assert.equal(idleDecision(cell(4, 1), 120_000, 120_000, false), undefined, 'one ms short of idle');
  assert.equal(idleDecision(cell(1, 0), 500_000, 120_000, false), undefined, 'already at its minimum');
  assert.deepEqual(idleDecision(cell(3, 0, 0), 500_000, 120_000, false), { to: 0, remove: false });
  assert.deepEqual(idleDecision(cell(1, 0), 500_000, 120_000, true), { to: 0, remove: true });
});

test('a stored value expires at its exp, else at its write time plus the TTL', () => {
  assert.equal(expiryOf({ at: 1000 }, 5, 60_000), 61_000);
  assert.equal(expiryOf({ at: 1000, exp: 7000 }, 5, 60_000), 7000);
  assert.equal(expiryOf({ at: 0 }, 2000, 60_000), 62_000, 'written by another tool: the KV entry time');
});
