import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isNamedError, type Issue, type ValidationError } from '../errors.ts';
import { rootPath } from '../util/paths.ts';
import { CAPABILITIES } from './capabilities.ts';
import { parseScenario } from './load.ts';

// A scenario file placed in fixtures/scenarios so `organism:` resolves against the demo shop.
const FILE = join(rootPath('fixtures', 'scenarios'), 'test.yaml');
const GOOD = `apiVersion: petri/v1
kind: Scenario
metadata: { name: story }
organism: ../organisms/demo.yaml
duration: 60s
seed: 7
traffic:
  - { name: shoppers, route: GET /products, rate: 40/s, clients: 50 }
steps:
  - { at: 10s, attack: { kind: flood, route: GET /products, rate: 800/s, clients: 2 } }
  - { at: 25s, fault: { kind: latency, cell: inventory, add: 150ms, for: 15s } }
  - { at: 40s, signal: { key: catalog.latencyFactor, value: 2.0 } }
expect:
  - { name: shoppers served, metric: p99, route: GET /products, traffic: shoppers, window: [0s, 60s], below: 300ms }
  - { name: shoppers ok, metric: errorRate, traffic: shoppers, window: [0s, 60s], below: 0.01 }
  - { name: scaled out, metric: replicas, cell: catalog, window: [30s, 60s], atLeast: 3 }
`;

async function issuesOf(text: string): Promise<Issue[]> {
  try {
    await parseScenario(text, FILE);
  } catch (err) {
    assert.ok(isNamedError(err, 'ValidationError'), String(err));
    return (err as ValidationError).issues;
  }
  assert.fail('expected a validation error');
}

function swap(line: number, replacement: string): string {
  const lines = GOOD.split('\n');
  lines[line - 1] = replacement;
  return lines.join('\n');
}

test('the DESIGN.md example (minus incidents) is valid and normalised', async () => {
  const plan = await parseScenario(GOOD, FILE);
  assert.equal(plan.durationMs, 60_000);
  assert.equal(plan.seed, 7);
  assert.deepEqual(
    plan.steps.map((s) => [s.atMs, s.action.kind]),
    [
      [10_000, 'attack'],
      [25_000, 'fault'],
      [40_000, 'signal'],
    ],
  );
  const p99 = plan.expect[0]!;
  assert.ok(p99.type === 'metric' && p99.threshold === 300 && p99.traffic === 'shoppers');
  assert.equal(plan.organism.spec.name, 'shop');
});

test('a step with two actions, or none, is refused on its line', async () => {
  const [i] = await issuesOf(
    swap(11, '  - { at: 25s, fault: { kind: latency, cell: inventory, add: 150ms }, scale: { cell: catalog, replicas: 2 } }'),
  );
  assert.deepEqual([i!.line, i!.path], [11, 'steps[1]']);
  assert.match(i!.message, /exactly one of attack, fault, signal, scale, traffic, stop \(got fault, scale\)/);
});

test('steps and expectations are checked against the organism', async () => {
  const cases: Array<[number, string, number, string, RegExp]> = [
    [
      11,
      '  - { at: 25s, fault: { kind: latency, cell: inventroy, add: 150ms } }',
      11,
      'steps[1].fault.cell',
      /no cell 'inventroy'/,
    ],
    [11, '  - { at: 25s, fault: { kind: latency, cell: inventory } }', 11, 'steps[1].fault.add', /needs 'add'/],
    [12, '  - { at: 40s, signal: { key: catalog.latencyFactor, value: fast } }', 12, 'steps[2].signal.value', /must be a number/],
    [12, '  - { at: 40s, signal: { key: nope.knob, value: 1 } }', 12, 'steps[2].signal.key', /no signal 'nope.knob'/],
    [10, '  - { at: 70s, attack: { kind: flood, route: GET /products, rate: 800/s } }', 10, 'steps[0].at', /not before the end/],
    [8, '  - { name: shoppers, route: GET /nowhere, rate: 40/s }', 8, 'traffic[0].route', /no pathway 'GET \/nowhere'/],
    [
      16,
      '  - { name: scaled out, metric: replicas, cell: catalog, window: [30s, 90s], atLeast: 3 }',
      16,
      'expect[2].window',
      /ends after the scenario/,
    ],
    [
      15,
      '  - { name: shoppers ok, metric: errorRate, traffic: buyers, below: 0.01 }',
      15,
      'expect[1].traffic',
      /no traffic stream or attack named 'buyers'/,
    ],
    [
      15,
      '  - { name: shoppers ok, metric: errorRate, traffic: shoppers, below: 0.01, above: 0 }',
      15,
      'expect[1]',
      /exactly one comparator/,
    ],
    [14, '  - { name: slow, metric: p99, traffic: shoppers, below: fast }', 14, 'expect[0].below', /a duration like 300ms/],
    [15, '  - { name: bad, event: replica.exploded, atLeast: 1 }', 15, 'expect[1].event', /unknown event type/],
  ];
  for (const [line, text, wantLine, wantPath, wantMessage] of cases) {
    const issues = await issuesOf(swap(line, text));
    const hit = issues.find((i) => i.path === wantPath);
    assert.ok(hit, `${text}\n→ ${JSON.stringify(issues)}`);
    assert.equal(hit.line, wantLine, text);
    assert.match(hit.message, wantMessage);
  }
});

test('capabilities this build lacks are refused, not ignored', async () => {
  // Every capability is built now; switch one off to prove the refusal still happens.
  const expectation = 'expect:\n  - { name: flood contained, incident: { kind: rate-abuse, within: 5s, after: 10s } }\n';
  const plan = await parseScenario(GOOD.replace('expect:\n', expectation), FILE);
  assert.equal(plan.expect[0]?.type, 'incident');
  CAPABILITIES.incidents!.available = false;
  try {
    const issues = await issuesOf(GOOD.replace('expect:\n', expectation));
    const hit = issues.find((i) => i.path === 'expect[0].incident');
    assert.ok(hit, JSON.stringify(issues));
    assert.match(hit.message, /need the immune system, which this build does not have yet/);
  } finally {
    CAPABILITIES.incidents!.available = true;
  }
});

test("the 'quarantined' metric needs a traffic stream or attack to count", async () => {
  const issues = await issuesOf(
    GOOD.replace('expect:\n', 'expect:\n  - { name: q, metric: quarantined, window: [10s, 60s], atLeast: 1 }\n'),
  );
  assert.ok(
    issues.some((i) => i.path === 'expect[0]' && /needs traffic:/.test(i.message)),
    JSON.stringify(issues),
  );
});

test('an organism error is reported in the organism file; a missing one on the organism line', async () => {
  const missing = await issuesOf(GOOD.replace('../organisms/demo.yaml', '../organisms/nope.yaml'));
  assert.deepEqual([missing[0]!.line, missing[0]!.path], [4, 'organism']);
  const schema = await issuesOf(GOOD.replace('duration: 60s', 'duration: 60'));
  assert.deepEqual([schema[0]!.line, schema[0]!.path], [5, 'duration']);
  const unknown = await issuesOf(GOOD.replace('seed: 7', 'sede: 7'));
  assert.match(unknown[0]!.message, /unknown key 'sede' \(did you mean 'seed'\?\)/);
});
