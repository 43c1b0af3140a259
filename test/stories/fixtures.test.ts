/**
 * The workshop stories in fixtures/scenarios are promises: each one passes. Every fixture is
 * played with `petri run` exactly as a workshop or a CI pipeline would, one after the other, and
 * each expectation's observed value is printed. `PETRI_STORIES=a,b` plays only those.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'scenarios');
const only = process.env.PETRI_STORIES?.split(',').filter(Boolean);
const stories = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length))
  .filter((name) => !only || only.includes(name))
  .sort();

interface Report {
  passed: boolean;
  expectations: Array<{ name: string; passed: boolean; observed: unknown }>;
}

for (const name of stories) {
  test(`story ${name} passes`, { timeout: 240_000 }, async () => {
    using dir = tempDir();
    const json = join(dir.path, 'report.json');
    const r = await runCli(['run', join(DIR, `${name}.yaml`), '--json', json, '--data', join(dir.path, 'data')]);
    let report: Report | undefined;
    try {
      report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    } catch {
      // no report: the exit code and stderr below say why
    }
    for (const e of report?.expectations ?? [])
      console.log(`  ${name}: ${e.passed ? 'pass' : 'FAIL'} ${e.name} — observed ${JSON.stringify(e.observed)}`);
    assert.equal(r.code, 0, `petri run ${name} exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
    assert.ok(report?.passed, `report of ${name} says it passed`);
    assert.ok(report.expectations.length > 0, 'a story has expectations');
  });
}
