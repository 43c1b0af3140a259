import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressBlocks, clientAddress } from './clients.ts';

test('client addresses are distinct loopback addresses outside 127.0.0.0/16', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const a = clientAddress(3, i);
    assert.match(a, /^127\.3\.\d{1,3}\.\d{1,3}$/);
    assert.ok(!a.endsWith('.0') && !a.endsWith('.255'), a);
    seen.add(a);
  }
  assert.equal(seen.size, 5000);
});

test('blocks go to streams in order and are not reused until all were handed out', () => {
  const blocks = new AddressBlocks();
  assert.equal(blocks.take('a'), 1);
  assert.equal(blocks.take('b'), 2);
  assert.equal(blocks.take('a'), 1, 'a stream keeps its block');
  blocks.release('a');
  assert.equal(blocks.take('c'), 3, 'a released block is not handed out again at once');
  for (let i = 0; i < 251; i++) blocks.take(`s${i}`);
  assert.equal(blocks.take('wrap'), 1, 'after 254 blocks, free ones are reused');
});
