import assert from 'node:assert/strict';
import { parseArgs } from 'node:util';
import { test } from 'node:test';
import { newApiToken } from './token.ts';

test('API tokens are 48 hex digits, differ per start and survive an argument parser', () => {
  const tokens = new Set<string>();
  for (let i = 0; i < 2000; i += 1) {
    const token = newApiToken();
    assert.match(token, /^[0-9a-f]{48}$/);
    const { values } = parseArgs({ args: ['--token', token], options: { token: { type: 'string' } } });
    assert.equal(values.token, token);
    tokens.add(token);
  }
  assert.equal(tokens.size, 2000);
});
