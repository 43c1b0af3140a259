// Scenarios played inside a running engine over the control API: list, play, watch, refuse,
// abort, and the recorded run with its events (also bounded by time, for scrubbing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type ApiClient } from '../../engine/api/client.ts';
import { eventually, startEngine, ECHO_ORGANISM } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';

const SCENARIOS = join(import.meta.dirname, '..', '..', 'fixtures', 'scenarios');

/** A 6 s story against the echo organism: one expectation holds, one (rps above 5,000) cannot. */
function story(organism: string, name = 'story', extra = ''): string {
  return `apiVersion: petri/v1
kind: Scenario
metadata: { name: ${name}, description: Echo under light load }
organism: ${organism}
duration: 6s
seed: 3
traffic:
  - { name: users, route: GET /hello, rate: 30/s, clients: 5 }
steps:
  - { at: 1s, scale: { cell: echo, replicas: 2 } }
${extra}expect:
  - { name: users served, metric: errorRate, traffic: users, window: [0s, 3s], below: 0.05 }
  - { name: impossible rps, metric: rps, traffic: users, window: [0s, 3s], above: 5000 }
`;
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof ApiError, `expected an API error, got ${String(err)}`);
  return err;
}

async function finished(api: ApiClient, timeoutMs = 15_000): Promise<void> {
  const done = await eventually(async () => (await api.currentScenario()).current === null, timeoutMs, 200);
  assert.ok(done, 'the scenario finished');
}

test('a scenario plays through the API as a new run, judged live, refused when invalid, busy or for another organism', async () => {
  using dir = tempDir();
  const organism = join(dir.path, 'echo.yaml');
  writeFileSync(organism, ECHO_ORGANISM);
  await using t = await startEngine({ file: organism, api: true });
  const api = t.api!;

  const list = await api.scenarios();
  assert.equal(list.organism, 'echo');
  assert.equal(list.scenarios.length, readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).length);
  const flood = list.scenarios.find((s) => s.file === 'flood-contained.yaml');
  assert.deepEqual([flood?.name, flood?.organism, flood?.fits], ['flood-contained', 'shop', false]);
  assert.match(flood?.description ?? '', /flood/i);
  assert.ok((flood?.durationMs ?? 0) > 0);

  // Invalid text: 422 with located issues, and no run is created.
  const runsBefore = (await api.runs()).runs.length;
  const bad = await refusal(
    api.playScenario({ text: story(organism).replace('rate: 30/s', 'rate: lots'), filename: 'mine.yaml' }),
  );
  assert.equal(bad.status, 422);
  assert.equal(bad.problem?.status, 422);
  assert.match(bad.problem?.detail ?? '', /^mine\.yaml:8:\d+: traffic\[0\]\.rate: /);
  assert.ok(
    bad.problem?.errors?.some((e) => e.path === 'traffic[0].rate' && e.file === 'mine.yaml' && e.line === 8),
    JSON.stringify(bad.problem),
  );
  assert.equal((await refusal(api.playScenario({ file: 'nope.yaml' }))).status, 404);
  assert.equal((await refusal(api.playScenario({ file: '../organisms/demo.yaml' }))).status, 400);
  assert.equal((await refusal(api.playScenario({}))).status, 400);

  // Another organism: 409 naming both and the command that starts the right one.
  const other = await refusal(api.playScenario({ file: 'flood-contained.yaml' }));
  assert.equal(other.status, 409);
  assert.match(other.message, /organism 'shop'.*runs organism 'echo'.*petri serve --organism \S+demo\.yaml/);
  assert.equal((await api.runs()).runs.length, runsBefore, 'refusals create no run');
  assert.equal((await api.currentScenario()).current, null);

  const session = t.engine.runId;
  assert.equal((await api.run(session)).status, 'running');
  const started = await api.playScenario({ text: story(organism) });
  assert.equal((await api.run(session)).status, 'finished', 'the session run ends where the scenario run begins');
  assert.equal(started.name, 'story');
  assert.equal(started.durationMs, 6000);
  assert.deepEqual(
    started.expectations.map((e) => e.status),
    ['pending', 'pending'],
  );
  assert.ok(started.runId > runsBefore);
  assert.equal((await refusal(api.playScenario({ text: story(organism, 'second') }))).status, 409);

  // Both windows close at 3 s: the verdicts arrive while it still plays.
  const judged = await eventually(
    async () => {
      const c = (await api.currentScenario()).current;
      return c && c.expectations.every((e) => e.status !== 'pending') ? c : undefined;
    },
    8000,
    100,
  );
  assert.ok(judged, 'both expectations judged while playing');
  assert.equal(judged.phase, 'playing');
  assert.ok(judged.elapsedMs >= 3000 && judged.elapsedMs <= 6000, `elapsed ${judged.elapsedMs}`);
  assert.equal(judged.runId, started.runId);
  assert.deepEqual(
    judged.steps.map((s) => [s.label, s.ok]),
    [[judged.steps[0]!.label, true]],
  );
  const [served, impossible] = judged.expectations;
  assert.equal(served!.status, 'passed');
  assert.ok(served!.verdict!.observed !== null && served!.verdict!.observed < 0.05);
  assert.equal(impossible!.status, 'failed');
  assert.ok(impossible!.verdict!.observed! > 15 && impossible!.verdict!.observed! < 45, `rps ${impossible!.verdict!.observed}`);

  await finished(api);
  const { last } = await api.currentScenario();
  assert.equal(last?.runId, started.runId);
  assert.equal(last?.passed, false);
  assert.deepEqual(
    last?.expectations.map((e) => [e.name, e.passed]),
    [
      ['users served', true],
      ['impossible rps', false],
    ],
  );
  const run = (await api.runs()).runs.find((r) => r.id === started.runId);
  assert.deepEqual([run?.kind, run?.name, run?.status], ['scenario', 'story', 'failed']);
  const next = await api.run(t.engine.runId);
  assert.deepEqual([next.kind, next.status, next.id > started.runId], ['session', 'running', true]);
  assert.ok(run!.events > 0);

  // The run's events, and the same bounded by time (what a scrubber asks for).
  const events = (await api.events({ run: started.runId, limit: 10_000 })).events;
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'scenario.started');
  assert.ok(types.includes('scenario.step'));
  assert.equal(types.at(-1), 'scenario.finished');
  const verdicts = events.filter((e) => e.type === 'scenario.expectation');
  assert.deepEqual(
    verdicts.map((e) => [e.data.name, e.data.final]),
    [
      ['users served', false],
      ['impossible rps', false],
      ['users served', true],
      ['impossible rps', true],
    ].sort((a, b) => Number(a[1]) - Number(b[1])),
  );
  const scrubAt = events.find((e) => e.type === 'scenario.step')!.time;
  const upTo = (await api.events({ run: started.runId, to: scrubAt, limit: 10_000 })).events;
  assert.ok(upTo.length > 0 && upTo.length < events.length, `${upTo.length} of ${events.length}`);
  assert.ok(upTo.every((e) => e.time < scrubAt));
  assert.deepEqual(
    upTo.map((e) => e.seq),
    events.filter((e) => e.time < scrubAt).map((e) => e.seq),
  );
  const after = (await api.events({ run: started.runId, from: scrubAt, limit: 10_000 })).events;
  assert.equal(upTo.length + after.length, events.length);
  assert.equal((await refusal(api.events({ to: -1 } as never))).status, 400);
  const rollups = await api.rollups({ run: started.runId, scope: 'stream', key: 'users' });
  assert.ok(rollups.rows.length >= 3 && rollups.rows.every((r) => r.runId === started.runId));
});

test('aborting a playing scenario ends its fault and traffic and records it as aborted', async () => {
  using dir = tempDir();
  const organism = join(dir.path, 'echo.yaml');
  writeFileSync(organism, ECHO_ORGANISM);
  await using t = await startEngine({ file: organism, api: true });
  const api = t.api!;
  assert.equal((await refusal(api.abortScenario())).status, 404);
  const started = await api.playScenario({
    text: story(organism, 'doomed', '  - { at: 0.5s, fault: { name: slow, kind: latency, cell: echo, add: 20ms, for: 30s } }\n'),
  });
  const faulted = await eventually(() => t.engine.faults.list().some((f) => f.spec.name === 'slow'), 4000);
  assert.ok(faulted, 'the fault was injected');
  assert.ok(t.engine.traffic.list().some((s) => s.name === 'users'));
  const report = await api.abortScenario();
  assert.equal(report.aborted, true);
  assert.equal(report.passed, false);
  assert.deepEqual(t.engine.faults.list(), []);
  assert.equal(
    t.engine.traffic.list().some((s) => s.name === 'users'),
    false,
  );
  const { current, last } = await api.currentScenario();
  assert.equal(current, null);
  assert.equal(last?.runId, started.runId);
  assert.equal((await api.runs()).runs.find((r) => r.id === started.runId)?.status, 'aborted');
});
