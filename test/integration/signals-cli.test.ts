import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { signalsCommand } from '../../engine/api/signals-cmd.ts';
import { runCli } from '../helpers/cli.ts';
import { startEngine } from '../helpers/engine.ts';
import { tempDir } from '../helpers/tmp.ts';
import { SIGNALS_ORGANISM } from '../helpers/signals.ts';

test('petri signals export/import round-trips .env and flagd files through a running engine', async () => {
  await using t = await startEngine({ yaml: SIGNALS_ORGANISM, api: true });
  using dir = tempDir();
  const api = t.api!;
  // One run of the real binary proves the wiring; the rest call the same command in-process
  // (a cold CLI start costs seconds on this shared machine).
  const cli = async (...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await signalsCommand([...args, '--api', `${api.base}/api`, '--token', api.token], {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
    });
    return { code, stdout, stderr };
  };
  await api.changeSignals({
    changes: [
      { key: 'greeting', value: 'hello "world" # with a hash' },
      { key: 'checkout.newFlow', rollout: 0.25, targeting: [{ attribute: 'plan', in: ['gold', 'platinum'], value: true }] },
    ],
  });
  const snapshot = async () =>
    Object.fromEntries((await api.signals()).signals.map((s) => [s.key, [s.value, s.rollout, s.targeting]] as const));
  const original = await snapshot();

  // .env
  const envFile = join(dir.path, 'signals.env');
  const exported = await runCli(['signals', 'export', envFile], {
    PETRI_API: `${api.base}/api`,
    PETRI_TOKEN: api.token,
    PETRI_FROM_SOURCE: '1',
  });
  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /left out db\.password \(secret\)/);
  const text = readFileSync(envFile, 'utf8');
  assert.match(text, /^echo\.latencyFactor=1$/m);
  assert.match(text, /^greeting='hello "world" # with a hash'$/m);
  await api.changeSignals({
    changes: [
      { key: 'echo.latencyFactor', value: 7 },
      { key: 'greeting', value: 'changed' },
      { key: 'api.mode', value: 'safe' },
      { key: 'echo.errorRate', value: 0.5 },
    ],
  });
  const imported = await cli('import', envFile);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /changed 4 signal\(s\) from .*signals\.env \(env\)/);
  assert.deepEqual(await snapshot(), original, 'every value is back');
  assert.equal((await api.signal('greeting')).author, 'import');
  const again = await cli('import', envFile);
  assert.match(again.stdout, /changed 0 signal\(s\)/, 'importing the same file twice changes nothing');

  // flagd: rollout and targeting travel too.
  const flagsFile = join(dir.path, 'flags.json');
  assert.equal((await cli('export', '--format', 'flagd', flagsFile)).code, 0);
  const doc = JSON.parse(readFileSync(flagsFile, 'utf8')) as { flags: Record<string, { targeting?: unknown }> };
  assert.deepEqual(doc.flags['checkout.newFlow']!.targeting, {
    if: [
      { in: [{ var: 'plan' }, ['gold', 'platinum']] },
      'on',
      {
        fractional: [
          ['on', 25],
          ['off', 75],
        ],
      },
    ],
  });
  await api.changeSignal('checkout.newFlow', { value: true, rollout: 0, targeting: [] });
  await api.setSignal('cache.ttl', '5s');
  const flagd = await cli('import', flagsFile);
  assert.equal(flagd.code, 0, flagd.stderr);
  assert.deepEqual(await snapshot(), original, 'flag, rollout, targeting and the rest are back');

  // A bad file: precise errors, exit 2, nothing changed.
  const bad = join(dir.path, 'bad.env');
  writeFileSync(bad, 'greeting=fine\nnope.key=1\necho.latencyFactor=-3\n');
  const before = await api.signal('greeting');
  const refused = await cli('import', bad);
  assert.equal(refused.code, 2);
  assert.equal(
    refused.stderr,
    "petri: bad.env:2: nope.key: no signal 'nope.key' is declared (declare it in the organism manifest)\n" +
      'petri: bad.env:3: echo.latencyFactor: must be ≥ 0, got -3\n',
  );
  assert.equal((await api.signal('greeting')).revision, before.revision, 'the good line was not applied either');

  // set / history / rollback
  const set = await cli('set', 'greeting', '2');
  assert.equal(set.code, 0, set.stderr);
  assert.match(set.stdout, /greeting = "2" \(revision \d+\)/, 'a string signal keeps "2" as text');
  const history = await cli('history', 'greeting', '--limit', '3');
  assert.match(history.stdout, /^REV\s+TIME\s+AUTHOR\s+VALUE/);
  assert.match(history.stdout, /api\s+"2"/);
  const rev = (await api.signalHistory('greeting')).entries[1]!.revision;
  const back = await cli('rollback', 'greeting', String(rev));
  assert.equal(back.code, 0, back.stderr);
  assert.equal((await api.signal('greeting')).author, 'rollback');
  const wrongType = await cli('set', 'echo.latencyFactor', 'fast');
  assert.equal(wrongType.code, 2);
  assert.match(wrongType.stderr, /must be a number/);
});

test('petri signals: usage errors exit 2, an unreachable engine exits 1', async () => {
  const run = async (args: string[]) => {
    let stderr = '';
    const code = await signalsCommand(args, { out: () => {}, err: (t) => (stderr += t) });
    return { code, stderr };
  };
  const saved = process.env.PETRI_TOKEN;
  delete process.env.PETRI_TOKEN;
  try {
    const noToken = await run(['list']);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /a token is needed/);
  } finally {
    if (saved !== undefined) process.env.PETRI_TOKEN = saved;
  }
  // A port that was free a moment ago: nothing listens there.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const down = await run(['list', '--api', `http://127.0.0.1:${port}/api`, '--token', 'x']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach the engine's API \(ECONNREFUSED\)/);
  assert.equal((await run(['frobnicate', '--token', 'x'])).code, 2);
  assert.equal((await run(['import', '/nonexistent/file.env', '--token', 'x'])).code, 2);
  assert.equal((await run(['rollback', 'k', 'abc', '--token', 'x'])).code, 2);
});
