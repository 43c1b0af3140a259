import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readEnvelope } from './envelope.ts';

test('the fixed fields are read from the front of an event the publisher wrote', () => {
  const text = JSON.stringify({
    id: 'ab-1',
    time: 1700000000123,
    type: 'replica.crashed',
    runId: 4,
    cell: 'catalog',
    data: { replica: 'catalog-1', note: '"quoted", {braces}' },
  });
  const e = readEnvelope(text);
  assert.deepEqual([e.id, e.time, e.type, e.runId, e.cell], ['ab-1', 1700000000123, 'replica.crashed', 4, 'catalog']);
  assert.equal(e.text, text, 'stored as written');
  const bare = readEnvelope(JSON.stringify({ id: 'x', time: 5, type: 'engine.started', data: {} }));
  assert.deepEqual([bare.runId, bare.cell], [undefined, undefined]);
});

test('other shapes take the full parse; non-events are refused', () => {
  const e = readEnvelope(JSON.stringify({ type: 'signal.changed', data: { key: 'k' }, time: 9, cell: 'a', id: 'z' }));
  assert.deepEqual([e.type, e.time, e.cell, e.id], ['signal.changed', 9, 'a', 'z']);
  assert.throws(() => readEnvelope('{"hello":1}'), /not a Petri event/);
  assert.throws(() => readEnvelope('nope'));
});
