// The answers the renderer's capability views read match the API types they are typed with
// (checked with the schemas at runtime): faults, traffic and attacks, immune, incidents,
// quarantines and scaling — before and during a flood, so the lists hold real entries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { FaultsPage, ImmuneView, IncidentsPage, QuarantinesPage, ScalingPage, StreamView } from '../../engine/api/schema.ts';
import { eventually, startEngine } from '../helpers/engine.ts';

const DEMO = join(import.meta.dirname, '..', '..', 'fixtures', 'organisms', 'demo.yaml');

function assertShape(schema: TSchema, value: unknown, what: string): void {
  const errors = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path}: ${e.message}`);
  assert.deepEqual(errors, [], `${what} matches its API type`);
}

test('fault, stream, immune and scaling answers match their API types', async () => {
  await using t = await startEngine({ file: DEMO, api: true });
  const api = t.api!;
  await api.injectFault({ kind: 'latency', cell: 'inventory', add: '20ms', for: '1m' });
  const faults = await api.faults();
  assert.equal(faults.faults.length, 1);
  assert.equal(faults.kinds.length, 8);
  assertShape(FaultsPage, faults, 'GET /api/faults');

  const attack = await api.launchAttack({ kind: 'flood', route: 'GET /products', rate: '400/s', clients: 2, for: '20s' });
  assertShape(StreamView, attack, 'POST /api/attacks');
  const quarantines = await eventually(async () => {
    const q = await api.quarantines();
    return q.quarantines.length > 0 ? q : undefined;
  }, 15_000);
  assert.ok(quarantines, 'the flood gets a client quarantined');
  assertShape(QuarantinesPage, quarantines, 'GET /api/quarantines');
  const incidents = await api.incidents();
  assert.ok(incidents.incidents.length >= 1);
  assertShape(IncidentsPage, incidents, 'GET /api/incidents');
  const immune = await api.immune();
  assert.ok(immune.memory.length >= 1, 'the quarantined client is remembered');
  assertShape(ImmuneView, immune, 'GET /api/immune');
  await api.stopAttack(attack.name);

  const scaling = await eventually(async () => {
    const s = await api.scaling();
    return s.cells.some((c) => c.decisions.length > 0) ? s : undefined;
  }, 20_000);
  assert.ok(scaling, 'a scaling decision is made');
  assert.deepEqual(
    scaling.cells.map((c) => c.cell),
    ['catalog'],
  );
  assertShape(ScalingPage, scaling, 'GET /api/scaling');
});
