import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, murmur3, rolloutBucket } from './flags.ts';
import type { WireSpec } from './codec.ts';

test('murmur3 matches the reference x86 32-bit vectors', () => {
  assert.equal(murmur3(''), 0);
  assert.equal(murmur3('', 1), 0x514e28b7);
  assert.equal(murmur3('hello'), 0x248bfa47);
  assert.equal(murmur3('The quick brown fox jumps over the lazy dog'), 0x2e4ff723);
  // Tails of 1, 2 and 3 bytes take different paths.
  assert.notEqual(murmur3('a'), murmur3('ab'));
  assert.notEqual(murmur3('abc'), murmur3('abcd'));
});

test("rollout buckets match flagd's fractional split ((hash × total) >> 32) for integer weights", () => {
  for (let i = 0; i < 2000; i++) {
    const client = `client-${i}`;
    const hash = BigInt(murmur3(`checkout.newFlow${client}`));
    const flagdOn = (hash * 100n) >> 32n < 10n; // [["on", 10], ["off", 90]]
    assert.equal(rolloutBucket('checkout.newFlow', client) < 0.1, flagdOn, client);
  }
});

test('a rollout gives true to about its share of clients, stably, and widening keeps those in', () => {
  const wire = (rollout: number): WireSpec => ({ type: 'flag', rollout });
  const on = (rollout: number) =>
    new Set(
      Array.from({ length: 10_000 }, (_, i) => `u${i}`).filter(
        (u) => evaluate('checkout.newFlow', false, wire(rollout), { targetingKey: u }).value === true,
      ),
    );
  const tenth = on(0.1);
  assert.ok(tenth.size > 900 && tenth.size < 1100, `10% rollout reached ${tenth.size} of 10,000`);
  assert.deepEqual(on(0.1), tenth, 'same clients every time');
  const third = on(0.3);
  assert.ok(
    [...tenth].every((u) => third.has(u)),
    'widening the rollout keeps everyone already in',
  );
  const one = evaluate('checkout.newFlow', false, wire(0.1), { targetingKey: [...tenth][0]! });
  assert.deepEqual(one, { value: true, reason: 'SPLIT', variant: 'on' });
});

test('targeting rules win over the rollout; a true flag is on for everyone', () => {
  const wire: WireSpec = {
    type: 'flag',
    rollout: 0.0001,
    targeting: [
      { attribute: 'plan', in: ['gold', 'platinum'], value: true },
      { attribute: 'country', in: ['xx'], value: false },
    ],
  };
  assert.deepEqual(evaluate('f', false, wire, { targetingKey: 'u1', plan: 'gold' }), {
    value: true,
    reason: 'TARGETING_MATCH',
    variant: 'on',
  });
  assert.deepEqual(evaluate('f', true, wire, { targetingKey: 'u1', country: 'xx' }), {
    value: false,
    reason: 'TARGETING_MATCH',
    variant: 'off',
  });
  assert.equal(evaluate('f', false, wire, { targetingKey: 'u1', plan: 'free' }).reason, 'SPLIT');
  assert.deepEqual(
    evaluate('f', false, wire, {}),
    { value: false, reason: 'DEFAULT', variant: 'off' },
    'no targetingKey: the value',
  );
  assert.deepEqual(evaluate('f', true, { type: 'flag', rollout: 0.1 }, { targetingKey: 'u' }), {
    value: true,
    reason: 'STATIC',
    variant: 'on',
  });
  assert.deepEqual(evaluate('f', false, { type: 'flag' }, { targetingKey: 'u' }), {
    value: false,
    reason: 'STATIC',
    variant: 'off',
  });
});

test('other types: rules by attribute (numbers match their text), else the value', () => {
  const wire: WireSpec = { type: 'number', targeting: [{ attribute: 'tier', in: [2, 3], value: 0.5 }] };
  assert.deepEqual(evaluate('k', 1, wire, { tier: '3' }), { value: 0.5, reason: 'TARGETING_MATCH', variant: 'rule-1' });
  assert.deepEqual(evaluate('k', 1, wire, { tier: 1 }), { value: 1, reason: 'DEFAULT', variant: 'default' });
  assert.deepEqual(evaluate('k', 'a', { type: 'string' }), { value: 'a', reason: 'STATIC', variant: 'default' });
});
