import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../engine/engine.ts';
import { silentLogger } from '../../engine/log.ts';
import { loadScenarioFile, playScenario } from '../../engine/scenario/index.ts';
import { tempDir } from '../helpers/tmp.ts';

const ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: knob }
cells:
  - name: api
    replicas: 2
    concurrency: 64
    operations: [ { name: get, latency: { p50: 10ms, p99: 10ms } } ]
pathways:
  - { route: GET /item, to: api.get }
`;

const SCENARIO = `apiVersion: petri/v1
kind: Scenario
metadata: { name: knob-turn }
organism: knob.yaml
duration: 9s
seed: 3
traffic:
  - { name: users, route: GET /item, rate: 30/s, clients: 10 }
steps:
  - { at: 2s, signal: { key: api.latencyFactor, value: 10 } }
  - { at: 5s, signal: { key: api.latencyFactor, value: 1 } }
expect:
  - { name: normal, metric: p50, traffic: users, window: [0s, 2s], below: 40ms }
  - { name: ten times slower within a second, metric: p50, traffic: users, window: [3s, 5s], above: 90ms }
  - { name: restored within a second, metric: p50, traffic: users, window: [6s, 9s], below: 40ms }
  - { name: every change propagated, event: signal.applied, window: [2s, 9s], atLeast: 2 }
`;

test('a scenario signal step changes a cell’s latency within a second; a later step restores it', async () => {
  using dir = tempDir();
  writeFileSync(join(dir.path, 'knob.yaml'), ORGANISM);
  writeFileSync(join(dir.path, 'scenario.yaml'), SCENARIO);
  const plan = await loadScenarioFile(join(dir.path, 'scenario.yaml'));
  const engine = await Engine.start({
    organism: plan.organism,
    dataDir: join(dir.path, 'data'),
    seed: plan.seed,
    logger: silentLogger,
    run: { kind: 'scenario', name: plan.name },
  });
  try {
    const report = await playScenario(engine, plan);
    for (const v of report.expectations) assert.ok(v.passed, `${v.name}: observed ${v.observed} (${v.detail})`);
    assert.ok(report.steps.every((s) => s.ok));
  } finally {
    await engine.stop();
  }
});
