#!/usr/bin/env node
// `npm test`: typecheck, lint, the import-boundary check, browser e2e (Playwright on Debian's
// Chromium), then unit and integration tests on node's test runner — last, so its summary closes
// the log. Pass tier names to run only some: `npm test -- unit integration`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const wanted = new Set(process.argv.slice(2));
const want = (tier) => wanted.size === 0 || wanted.has(tier);
const failed = [];

// A tier that hangs must fail the build, not eat CI's hour: each has a wall-clock limit.
const LIMIT_MIN = { e2e: 8, tests: 20, stories: 15, other: 5 };

function step(name, cmd, args, { env = {}, limitMin = LIMIT_MIN.other } = {}) {
  process.stdout.write(`\n▶ ${name}\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    stdio: 'inherit',
    cwd: ROOT,
    env: { ...process.env, ...env },
    timeout: limitMin * 60_000,
    killSignal: 'SIGKILL',
  });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL')
    process.stdout.write(`✖ ${name} did not finish within ${limitMin} min and was killed\n`);
  if (r.status !== 0) {
    failed.push(name);
    process.stdout.write(`✖ ${name} failed (${secs} s)\n`);
  } else process.stdout.write(`✔ ${name} (${secs} s)\n`);
}

function find(dir, pattern, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist') continue;
    if (statSync(p).isDirectory()) find(p, pattern, out);
    else if (pattern.test(entry)) out.push(relative(ROOT, p));
  }
  return out.sort();
}

if (want('typecheck')) {
  step('typecheck (tsc -b)', bin('tsc'), ['-b']);
  if (existsSync(join(ROOT, 'renderer', 'tsconfig.json')))
    step('typecheck (svelte-check)', bin('svelte-check'), [
      '--tsconfig',
      'renderer/tsconfig.json',
      '--threshold',
      'error',
      '--output',
      'human',
    ]);
}
if (want('lint')) {
  step('lint (eslint)', bin('eslint'), ['--max-warnings', '0', '.']);
  step('format (prettier --check)', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
}
if (want('boundaries')) step('import boundaries', process.execPath, [join(ROOT, 'scripts', 'check-boundaries.mjs')]);
if (want('e2e') && existsSync(join(ROOT, 'playwright.config.ts')))
  step('e2e (Playwright, Chromium)', bin('playwright'), ['test'], { limitMin: LIMIT_MIN.e2e });

const unit = ['engine', 'electron', 'renderer', 'models', join('test', 'unit')].flatMap((d) =>
  find(join(ROOT, d), /\.test\.ts$/),
);
const integration = find(join(ROOT, 'test', 'integration'), /\.test\.ts$/);
const files = [...(want('unit') ? unit : []), ...(want('integration') ? integration : [])];
if (files.length) {
  step(
    `unit + integration (node --test, ${files.length} files)`,
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=1',
      // One test that never ends is reported as failed after 3 minutes; the run goes on.
      '--test-timeout=180000',
      // A failed test may skip its clean-up and leave a server open: end each file when its tests are done.
      '--test-force-exit',
      ...files,
    ],
    { limitMin: LIMIT_MIN.tests },
  );
}
// The workshop stories: every fixtures/scenarios file played with `petri run`, one at a time, last.
// Its own run of node --test: the file takes minutes, so the per-test limit lives in the file.
const stories = want('stories') ? find(join(ROOT, 'test', 'stories'), /\.test\.ts$/) : [];
if (stories.length)
  step(
    'stories (every fixture scenario with petri run)',
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-force-exit', ...stories],
    { limitMin: LIMIT_MIN.stories },
  );
if (failed.length) {
  process.stdout.write(`\nFailed: ${failed.join(', ')}\n`);
  process.exit(1);
}
