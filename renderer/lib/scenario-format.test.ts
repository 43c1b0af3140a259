import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventRow } from './event-log.ts';
import type { RollupView, VerdictView } from './api/index.ts';
import { extrapolate, formatExpected, formatObserved, formatProgress, routesAt, rowRates, rowsUpTo } from './scenario-format.ts';

const verdict = (over: Partial<VerdictView>): VerdictView => ({
  name: 'x',
  passed: true,
  observed: 12.345,
  expected: { comparator: 'below', value: 300 },
  unit: 'ms',
  detail: '',
  ...over,
});

test('verdicts read like the CLI prints them', () => {
  assert.equal(formatObserved(verdict({})), '12.3 ms');
  assert.equal(formatObserved(verdict({ observed: 0.01234, unit: '' })), '0.0123');
  assert.equal(formatObserved(verdict({ observed: null })), 'no data');
  assert.equal(formatExpected(verdict({})), 'below 300 ms');
  assert.equal(
    formatExpected(verdict({ expected: { comparator: 'atLeast', value: 3 }, unit: 'replicas' })),
    'at least 3 replicas',
  );
  assert.equal(formatExpected(verdict({ expected: { within: 5000 } })), 'within 5000 ms');
});

test('progress extrapolates at the engine speed and stops at the duration', () => {
  assert.equal(extrapolate(1000, 6000, 1, 500), 1500);
  assert.equal(extrapolate(1000, 6000, 10, 500), 6000);
  assert.equal(extrapolate(1000, 6000, 1, -50), 1000);
  assert.equal(formatProgress(2500, 6000), '2.5 s / 6.0 s');
  assert.equal(formatProgress(12_000, 60_000), '12 s / 60 s');
});

test('scrubbing keeps the events up to a time and each route’s last second before it', () => {
  const rows = [100, 200, 200, 350].map((time, i) => ({
    seq: i + 1,
    domain: 'x',
    event: { id: `${i}`, time, type: 'x.y', data: {} },
  }));
  assert.deepEqual(
    rowsUpTo(rows as EventRow[], 200).map((r) => r.seq),
    [1, 2, 3],
  );
  assert.deepEqual(rowsUpTo(rows as EventRow[], 99), []);
  const r = (key: string, t: number, count: number, ok: number): RollupView =>
    ({ runId: 1, scope: 'route', key, t, span: 1000, count, ok }) as RollupView;
  const at = routesAt([r('GET /a', 0, 10, 10), r('GET /a', 1000, 20, 15), r('GET /b', 0, 4, 4), r('GET /a', 2000, 1, 1)], 1500);
  assert.deepEqual(
    at.map((x) => [x.key, x.t]),
    [
      ['GET /a', 1000],
      ['GET /b', 0],
    ],
  );
  assert.deepEqual(rowRates(at[0]!), { rps: 20, errorRate: 0.25 });
});
