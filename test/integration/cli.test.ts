import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/tmp.ts';
import { runCli, startServe } from '../helpers/cli.ts';
import { http } from '../helpers/http.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function natsPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'nats', 'nats-server.pid'), 'utf8'));
}

test('petri serve prints the ready line; SIGTERM stops everything within 5 s', async () => {
  using dir = tempDir();
  const s = await startServe(['--data', dir.path, '--port', '0', '--gateway-port', '0']);
  assert.match(
    s.line,
    /^petri ready ui=http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+ api=http:\/\/127\.0\.0\.1:\d+\/api gateway=http:\/\/127\.0\.0\.1:\d+$/,
  );
  assert.equal(s.api, `${s.ui}/api`);
  const health = await http(`${s.api}/health`);
  assert.equal(health.status, 200);
  const pid = natsPid(dir.path);
  assert.ok(alive(pid));
  const stoppedAt = performance.now();
  s.child.kill('SIGTERM');
  const [code] = (await once(s.child, 'exit')) as [number];
  const stopMs = performance.now() - stoppedAt;
  assert.equal(code, 0, s.stderr());
  assert.ok(stopMs < 5000, `stopped in ${stopMs.toFixed(0)} ms`);
  assert.equal(alive(pid), false, 'nats-server is gone');
  assert.equal(existsSync(join(dir.path, 'nats', 'nats-server.pid')), false);
});

test('a killed engine takes its nats-server with it, and the next start cleans up', async () => {
  using dir = tempDir();
  const s = await startServe(['--data', dir.path, '--port', '0', '--gateway-port', '0']);
  const pid = natsPid(dir.path);
  s.child.kill('SIGKILL');
  await once(s.child, 'exit');
  const end = Date.now() + 3000;
  while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(pid), false, 'the parent-death signal killed nats-server');
  const again = await startServe(['--data', dir.path, '--port', '0', '--gateway-port', '0']);
  const runs = await http(`${again.api}/runs`, { headers: { authorization: `Bearer ${again.token}` } });
  const list = (JSON.parse(runs.body) as { runs: Array<{ status: string }> }).runs;
  assert.deepEqual(
    list.map((r) => r.status),
    ['running', 'aborted'],
    'the run of the killed engine is marked aborted',
  );
  again.child.kill('SIGINT');
  const [code] = (await once(again.child, 'exit')) as [number];
  assert.equal(code, 0);
});

test('an invalid organism exits 2 with file:line:col before anything starts', async () => {
  using dir = tempDir();
  const file = join(dir.path, 'bad.yaml');
  writeFileSync(
    file,
    'apiVersion: petri/v1\nkind: Organism\nmetadata: { name: x }\ncells:\n  - name: a\n    replicas: lots\n    operations: [ { name: o, latency: { p50: 1ms, p99: 2ms } } ]\n',
  );
  const data = join(dir.path, 'data');
  const r = await runCli(['serve', '--organism', file, '--data', data, '--port', '0', '--gateway-port', '0']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), `${file}:6:15: cells[0].replicas: must be an integer, got "lots"`);
  assert.equal(existsSync(data), false, 'no data dir, no nats-server: nothing started');
  const v = await runCli(['validate', file, join(import.meta.dirname, '..', '..', 'fixtures', 'organisms', 'demo.yaml')]);
  assert.equal(v.code, 2);
  assert.match(v.stdout, /demo\.yaml: ok/);
  assert.match(v.stderr, /bad\.yaml:6:15: cells\[0\]\.replicas/);
});

test('bad flags and unknown commands exit 2 with a hint', async () => {
  for (const args of [
    ['serve', '--port', 'eighty'],
    ['serve', '--speed', '0'],
    ['serve', '--bogus'],
    ['frobnicate'],
    ['validate'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
  const ok = await runCli(['help']);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /petri serve/);
});
