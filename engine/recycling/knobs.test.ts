import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOrganism } from '../organism/index.ts';
import { knobSignals } from './knobs.ts';
import { actionFor } from './registry.ts';

test('every knob an action reads becomes a typed signal with the manifest value or the default', () => {
  const { spec } = parseOrganism(`apiVersion: petri/v1
kind: Organism
metadata: { name: o }
cells: [ { name: c, operations: [ { name: op, latency: { p50: 1ms, p99: 2ms } } ] } ]
recycling:
  - { name: retention, schedule: "*/5 * * * * *", action: prune-events, olderThan: 90s }
  - { name: logs, schedule: "0 * * * *", action: rotate-logs, maxSize: 1000 }
  - { name: vac, schedule: "0 * * * *", action: vacuum }
`);
  const signals = knobSignals(spec.recycling, (j) => actionFor(j.action));
  assert.deepEqual(
    signals.map((s) => [s.key, s.type, s.value]),
    [
      ['recycling.retention.olderThan', 'duration', '90s'],
      ['recycling.logs.maxSize', 'number', 1000],
      ['recycling.logs.olderThan', 'duration', null],
      ['recycling.logs.keep', 'number', 5],
    ],
  );
  assert.equal(signals.find((s) => s.key === 'recycling.logs.keep')!.min, 0);
});
