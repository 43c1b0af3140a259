// petri bench scaling on a short slice of August: every policy runs on the same arrivals, gap
// minutes are simulated but never scored, and the report says how each policy compares.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { barVerdict, benchScaling, compareScaling } from '../../engine/scaling/index.ts';
import { loadTrace, TRACES_DIR } from '../../engine/traces/index.ts';

const AUG = join(TRACES_DIR, 'nasa_aug95_1min.csv');

test('three policies over the end of the outage: the gap is excluded from every score', async () => {
  const trace = loadTrace(AUG);
  // minutes 3100–3400: 107 outage minutes (to 3207), then the trace resumes
  const r = await compareScaling({ trace, fromMinute: 3100, toMinute: 3400 });
  assert.deepEqual(r.minutes, { from: 3100, to: 3400, scored: 193, excluded: 107 });
  assert.deepEqual(
    r.scores.map((s) => s.policy),
    ['hpa', 'predictive', 'queue-lag'],
  );
  for (const s of r.scores) {
    assert.equal(s.scoredMinutes, 193);
    assert.ok(
      s.requests > 0 && s.replicaMinutes >= 193,
      `${s.policy}: ${s.requests} requests, ${s.replicaMinutes} replica-minutes`,
    );
  }
  // the arrivals are the same stream for every policy (same seed), whatever the pool does
  const arrivals = r.scores.map((s) => s.requests);
  assert.ok(Math.max(...arrivals) - Math.min(...arrivals) === 0, arrivals.join(' '));
  assert.match(r.table, /\| hpa \| \d+ \| 1\.00× \|/);
});

test('benchScaling prints the setup, the table and the verdict', async () => {
  const lines: string[] = [];
  const r = await benchScaling({ trace: AUG, from: 4320, to: 4500, policies: ['hpa', 'predictive'] }, (l) => lines.push(l));
  const text = lines.join('\n');
  assert.match(text, /^trace nasa_aug95_1min\.csv: 44640 minutes, gaps excluded from scores: \[893, 3207\)/);
  assert.match(text, /peak 188\.9 req\/s/);
  assert.match(text, /simulated hours per wall second/);
  assert.match(text, /forecaster inference: ONNX \d+ µs per call/);
  const verdict = barVerdict(r.scores);
  if (verdict) assert.ok(text.includes(verdict));
});
