import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PetriEvent } from '../../engine/api/events.ts';
import { EventLog, rowText } from './event-log.ts';
import { eventMatcher, filterKey } from './event-filter.ts';
import { activeFaults } from './faults.ts';

const ev = (seq: number, type = 'replica.started', cell?: string, data: Record<string, unknown> = {}): PetriEvent => ({
  seq,
  id: `e${seq}`,
  time: 1000 + seq,
  type,
  data,
  ...(cell ? { cell } : {}),
});

describe('EventLog', () => {
  it('appends in order and returns only what is new', () => {
    const log = new EventLog(100);
    assert.deepEqual(
      log.add([ev(1), ev(2)]).map((r) => r.seq),
      [1, 2],
    );
    assert.deepEqual(
      log.add([ev(2), ev(3)]).map((r) => r.seq),
      [3],
    );
    assert.equal(log.size, 3);
    assert.equal(log.maxSeq, 3);
    assert.equal(log.rows[0]!.domain, 'replica');
  });

  it('merges an older backfill in place and bumps the generation', () => {
    const log = new EventLog(100);
    log.add([ev(10), ev(11)]);
    const before = log.generation;
    assert.deepEqual(log.add([ev(5), ev(7), ev(10)]), []);
    assert.deepEqual(
      log.rows.map((r) => r.seq),
      [5, 7, 10, 11],
    );
    assert.equal(log.generation, before + 1);
  });

  it('keeps only the newest events past its capacity', () => {
    const log = new EventLog(3);
    log.add([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    assert.deepEqual(
      log.rows.map((r) => r.seq),
      [3, 4, 5],
    );
    assert.equal(log.evicted, 2);
    assert.deepEqual(
      log.after(3).map((r) => r.seq),
      [4, 5],
    );
    assert.deepEqual(
      log.after(0).map((r) => r.seq),
      [3, 4, 5],
    );
  });

  it('ignores events without a sequence (not persisted yet)', () => {
    const log = new EventLog();
    log.add([{ id: 'x', time: 1, type: 'cell.spawned', data: {} }]);
    assert.equal(log.size, 0);
  });
});

describe('event filter', () => {
  const log = new EventLog();
  log.add([
    ev(1, 'cell.spawned', 'catalog', { replicas: 2 }),
    ev(2, 'replica.started', 'catalog', { replica: 'catalog-1' }),
    ev(3, 'replica.started', 'cart', { replica: 'cart-1' }),
    ev(4, 'signal.changed', undefined, { key: 'catalog.latencyFactor' }),
  ]);
  const seqs = (f: Parameters<typeof eventMatcher>[0]): number[] => log.rows.filter(eventMatcher(f)).map((r) => r.seq);

  it('matches domains, cell and text together', () => {
    assert.deepEqual(seqs({ domains: [], cell: '', query: '' }), [1, 2, 3, 4]);
    assert.deepEqual(seqs({ domains: ['replica'], cell: '', query: '' }), [2, 3]);
    assert.deepEqual(seqs({ domains: ['replica', 'cell'], cell: 'catalog', query: '' }), [1, 2]);
    assert.deepEqual(seqs({ domains: [], cell: '', query: 'LATENCYfactor' }), [4]);
    assert.deepEqual(seqs({ domains: ['replica'], cell: '', query: 'cart-1' }), [3]);
  });

  it('searches type, cell and data', () => {
    assert.equal(rowText(log.rows[2]!), 'replica.started cart {"replica":"cart-1"}');
  });

  it('keys filters independently of domain order and query case', () => {
    assert.equal(
      filterKey({ domains: ['a', 'b'], cell: '', query: 'X ' }),
      filterKey({ domains: ['b', 'a'], cell: '', query: 'x' }),
    );
  });
});

describe('active faults', () => {
  it('lists injected faults until they are cleared', () => {
    const log = new EventLog();
    log.add([
      ev(1, 'fault.injected', 'cart', { fault: 'f1', kind: 'latency' }),
      ev(2, 'fault.injected', 'cart', { fault: 'f2', kind: 'crash' }),
      ev(3, 'fault.injected', 'catalog', { fault: 'f3', kind: 'error' }),
      ev(4, 'fault.cleared', 'cart', { fault: 'f1' }),
    ]);
    assert.deepEqual(
      activeFaults(log.rows, 'cart').map((f) => [f.id, f.kind]),
      [['f2', 'crash']],
    );
    assert.deepEqual(activeFaults(log.rows, 'pricing'), []);
  });
});
