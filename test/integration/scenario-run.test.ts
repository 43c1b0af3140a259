import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJUnit } from 'junit2json';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';
import { ECHO_ORGANISM } from '../helpers/engine.ts';

function scenario(dir: string, expect: string, extra = ''): string {
  writeFileSync(join(dir, 'echo.yaml'), ECHO_ORGANISM);
  const file = join(dir, 'story.yaml');
  writeFileSync(
    file,
    `apiVersion: petri/v1
kind: Scenario
metadata: { name: story }
organism: echo.yaml
duration: 6s
seed: 5
traffic:
  - { name: users, route: GET /hello, rate: 30/s, clients: 5 }
steps:
  - { at: 2s, scale: { cell: echo, replicas: 2 } }
${extra}expect:
${expect}`,
  );
  return file;
}

test('a passing scenario exits 0 and writes JSON and JUnit that a JUnit parser reads', async () => {
  using dir = tempDir();
  const file = scenario(
    dir.path,
    `  - { name: users served, metric: errorRate, traffic: users, window: [1s, 6s], below: 0.05 }
  - { name: scaled, event: replica.started, cell: echo, window: [1s, 6s], atLeast: 1 }
`,
  );
  const json = join(dir.path, 'r.json');
  const junit = join(dir.path, 'r.xml');
  const r = await runCli(['run', file, '--data', join(dir.path, 'data'), '--json', json, '--junit', junit]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✔ PASS {2}users served — observed 0(\.\d+)? \(expected below 0\.05/);
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    passed: boolean;
    expectations: Array<{ name: string; passed: boolean; observed: number }>;
  };
  assert.equal(report.passed, true);
  assert.deepEqual(
    report.expectations.map((e) => [e.name, e.passed]),
    [
      ['users served', true],
      ['scaled', true],
    ],
  );
  const parsed = (await parseJUnit(readFileSync(junit, 'utf8'))) as {
    tests: number;
    failures: number;
    testsuite: Array<{ name: string; testcase: Array<{ name: string; failure?: unknown }> }>;
  };
  assert.equal(parsed.tests, 2);
  assert.equal(parsed.failures, 0);
  assert.equal(parsed.testsuite[0]!.name, 'story');
  assert.deepEqual(
    parsed.testsuite[0]!.testcase.map((c) => c.name),
    ['users served', 'scaled'],
  );
  const runs = await runCli(['runs', '--data', join(dir.path, 'data')]);
  assert.match(runs.stdout, /1\s+scenario\s+story\s+echo\s+passed/);
  const html = join(dir.path, 'r.html');
  assert.equal((await runCli(['report', '1', '--data', join(dir.path, 'data'), '--html', html])).code, 0);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /users served/);
  assert.doesNotMatch(
    page,
    /<script|<link|(src|href)="https?:|url\(\s*['"]?https?:/,
    'self-contained and offline: no scripts or remote assets',
  );
});

test('a scenario whose expectation cannot hold exits 1, with passed false and the observed value', async () => {
  using dir = tempDir();
  const file = scenario(
    dir.path,
    `  - { name: impossible, metric: p50, traffic: users, window: [1s, 6s], below: 0.001ms }
`,
  );
  const json = join(dir.path, 'r.json');
  const junit = join(dir.path, 'r.xml');
  const r = await runCli(['run', file, '--data', join(dir.path, 'data'), '--json', json, '--junit', junit]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const report = JSON.parse(readFileSync(json, 'utf8')) as {
    passed: boolean;
    expectations: Array<{ passed: boolean; observed: number }>;
  };
  assert.equal(report.passed, false);
  assert.ok(report.expectations[0]!.observed > 0.5, `observed p50 ${report.expectations[0]!.observed} ms`);
  const parsed = (await parseJUnit(readFileSync(junit, 'utf8'))) as { failures: number };
  assert.equal(parsed.failures, 1);
});

test('abortOnFail stops the run early', async () => {
  using dir = tempDir();
  const file = scenario(
    dir.path,
    `  - { name: fail fast, abortOnFail: true, metric: p50, traffic: users, window: [1s, 2s], below: 0.001ms }
`,
  ).replace('duration: 6s', 'duration: 6s');
  writeFileSync(file, readFileSync(file, 'utf8').replace('duration: 6s', 'duration: 40s'));
  const started = performance.now();
  const json = join(dir.path, 'r.json');
  const r = await runCli(['run', file, '--data', join(dir.path, 'data'), '--json', json]);
  assert.equal(r.code, 1);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 25_000, `stopped after ${elapsed.toFixed(0)} ms of a 40 s scenario`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { aborted: boolean };
  assert.equal(report.aborted, true);
  assert.match(r.stdout, /ABORTED/);
});

test('an invalid scenario exits 2 pointing at the line, before anything starts', async () => {
  using dir = tempDir();
  const file = scenario(
    dir.path,
    `  - { name: bad, metric: p99, traffic: nobody, below: 10ms }
`,
  );
  const r = await runCli(['run', file, '--data', join(dir.path, 'data')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), `${file}:12:40: expect[0].traffic: no traffic stream or attack named 'nobody'; streams: users`);
});
