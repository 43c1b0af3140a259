import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTrace, TRACES_DIR } from './load.ts';
import { detectGaps, makeTrace, minuteOfDay, parseTraceCsv, scaleToPeak, sliceTrace } from './trace.ts';

test('parseTraceCsv reads counts and rejects bad rows with their line', () => {
  assert.deepEqual([...parseTraceCsv('minute_index,requests\n0,5\n1,7\n')], [5, 7]);
  assert.throws(
    () => parseTraceCsv('minute_index,requests\n0,5\n2,7\n', 'x.csv'),
    (err: Error) => err.name === 'ValidationError' && err.message.startsWith('x.csv:3:1: rows[1]'),
  );
  assert.throws(() => parseTraceCsv('minute,count\n0,1\n'), /header/);
});

test('detectGaps keeps short quiet runs and merges an outage with its flicker', () => {
  const counts = [5, 0, 0, 5, ...Array(30).fill(0), 3, 1, ...Array(25).fill(0), 9, 9];
  assert.deepEqual(detectGaps(counts, { minZeroRun: 20, mergeWithin: 10 }), [{ start: 4, end: 61 }]);
  assert.deepEqual(detectGaps(counts, { minZeroRun: 20, mergeWithin: 1 }), [
    { start: 4, end: 34 },
    { start: 36, end: 61 },
  ]);
});

test('the August NASA trace: the Hurricane Erin outage (minutes 893–3155) is a gap', () => {
  const aug = loadTrace(join(TRACES_DIR, 'nasa_aug95_1min.csv'));
  assert.equal(aug.counts.length, 44_640);
  const outage = aug.gaps[0]!;
  assert.ok(outage.start === 893 && outage.end >= 3156, JSON.stringify(outage));
  assert.equal(aug.valid[892], 1);
  assert.equal(aug.valid[893], 0);
  assert.equal(aug.valid[3155], 0);
  const excluded = aug.valid.length - aug.valid.reduce((s, v) => s + v, 0);
  assert.ok(excluded < 2_400, `only the outage and its flicker are excluded, got ${excluded}`);
  // minute 0 is midnight EDT
  assert.equal(minuteOfDay(aug, 0), 0);
  assert.equal(minuteOfDay(aug, 61), 61);
});

test('the July NASA trace keeps its STS-70 flash crowd (405 requests at 09:49 on July 13)', () => {
  const jul = loadTrace(join(TRACES_DIR, 'nasa_jul95_1min.csv'));
  const peakMinute = jul.counts.indexOf(Math.max(...jul.counts));
  assert.equal(jul.counts[peakMinute], 405);
  assert.equal(Math.floor(peakMinute / 1440), 12);
  assert.equal(minuteOfDay(jul, peakMinute), 9 * 60 + 49);
  assert.equal(jul.valid[peakMinute], 1);
});

test('scaleToPeak maps the busiest valid minute to the target rate and zeroes gaps', () => {
  const t = makeTrace('t', Float64Array.from([10, 20, 40, 0, ...Array(25).fill(0), 5]), { startMs: 0, utcOffsetMinutes: 0 });
  const rps = scaleToPeak(t, 100);
  assert.equal(rps[2], 100);
  assert.equal(rps[0], 25);
  assert.equal(rps[29], 12.5);
  assert.equal(rps[10], 0);
  const s = sliceTrace(t, 2, 10);
  assert.equal(s.counts.length, 8);
  assert.deepEqual(s.gaps, [{ start: 1, end: 8 }]);
  assert.equal(s.startMs, 120_000);
});
