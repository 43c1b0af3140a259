// The scenario form of "a 5 s retention job records at least 4 runs in 32 s", played by
// `petri run` at wall speed (node-cron schedules) and at --speed 2 (engine-clock schedules; ticks
// missed while the process is starved are skipped, so a busy CI machine needs the headroom).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const SCENARIO = join(import.meta.dirname, '..', '..', 'fixtures', 'scenarios', 'recycling-keeps-up.yaml');

for (const speed of ['1', '2']) {
  test(`recycling-keeps-up passes at --speed ${speed}: ≥ 4 runs of the 5 s job in 32 s, no overlap, idle cell decommissioned`, async () => {
    using dir = tempDir();
    const json = join(dir.path, 'report.json');
    const r = await runCli(['run', SCENARIO, '--data', join(dir.path, 'data'), '--json', json, '--speed', speed]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      passed: boolean;
      expectations: Array<{ name: string; passed: boolean; observed: number }>;
    };
    const runs = report.expectations.find((e) => e.name === 'the 5 s retention job ran at least 4 times')!;
    assert.ok(runs.passed && runs.observed >= 4 && runs.observed <= 7, `observed ${runs.observed}`);
    assert.ok(report.passed, JSON.stringify(report.expectations));
  });
}
