import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseRate } from './units.ts';

test('durations', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('5m'), 300_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('5 m'), undefined);
  assert.equal(parseDuration('5'), undefined);
  assert.equal(parseDuration('-1s'), undefined);
  assert.equal(formatDuration(300_000), '5m');
  assert.equal(formatDuration(1500), '1500ms');
});

test('rates', () => {
  assert.equal(parseRate('40/s'), 40);
  assert.equal(parseRate('600/m'), 10);
  assert.equal(parseRate('40'), undefined);
  assert.equal(parseRate('40/h'), undefined);
});
