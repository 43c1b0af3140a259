import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineProcess, engineCommand, forwardedFlags, parseReadyLine, type EngineCommand } from './engine-process.ts';

const LINE = 'petri ready ui=http://127.0.0.1:4710/#token=abc_DEF-1 api=http://127.0.0.1:4710/api gateway=http://127.0.0.1:4711';

describe('ready line', () => {
  it('parses the line petri serve prints', () => {
    assert.deepEqual(parseReadyLine(`${LINE}\n`), {
      ui: 'http://127.0.0.1:4710/#token=abc_DEF-1',
      origin: 'http://127.0.0.1:4710',
      token: 'abc_DEF-1',
      api: 'http://127.0.0.1:4710/api',
      gateway: 'http://127.0.0.1:4711',
    });
  });

  it('ignores other lines and URLs without a token', () => {
    assert.equal(parseReadyLine('petri: port 4710 is busy; the UI takes a free port'), undefined);
    assert.equal(parseReadyLine('petri ready ui=http://127.0.0.1:1/ api=x gateway=y'), undefined);
    assert.equal(parseReadyLine('petri ready ui=file:///etc/passwd#token=x api=x gateway=y'), undefined);
  });
});

describe('engine command line', () => {
  it('runs bin/petri.mjs serve on free ports under PETRI_NODE, never as Electron-as-Node', () => {
    const cmd = engineCommand('/app', ['/app/electron/dist/main.cjs', '--data', '/d', '--enable-logging'], {
      PETRI_NODE: '/opt/node/bin/node',
      ELECTRON_RUN_AS_NODE: '1',
      HOME: '/home/u',
    });
    assert.equal(cmd.command, '/opt/node/bin/node');
    assert.deepEqual(cmd.args, ['/app/bin/petri.mjs', 'serve', '--port', '0', '--gateway-port', '0', '--data', '/d']);
    assert.equal(cmd.env.ELECTRON_RUN_AS_NODE, undefined);
    assert.equal(cmd.env.PETRI_ROOT, '/app');
    assert.equal(cmd.env.HOME, '/home/u');
  });

  it('uses node from the PATH by default', () => {
    assert.equal(engineCommand('/app', [], {}).command, 'node');
  });

  it('forwards only serve flags, in both spellings', () => {
    assert.deepEqual(forwardedFlags(['--organism=shop.yaml', '--speed', '2', '--no-sandbox', '--seed', '--port', '9']), [
      '--organism',
      'shop.yaml',
      '--speed',
      '2',
      '--port',
      '9',
    ]);
  });
});

describe('EngineProcess', () => {
  const dir = mkdtempSync(join(tmpdir(), 'petri-electron-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fake engine: a Node script with the given body. */
  const fake = (name: string, body: string): EngineCommand => {
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, body);
    return { command: process.execPath, args: [file], env: { ...process.env }, cwd: dir };
  };

  it('resolves at the ready line and stops the engine with SIGTERM', async () => {
    const cmd = fake(
      'ok',
      `process.stdout.write('booting\\n'); setTimeout(() => console.log(${JSON.stringify(LINE)}), 50);
       process.on('SIGTERM', () => { console.error('bye'); process.exit(0); }); setInterval(() => {}, 1000);`,
    );
    let exited: number | null | undefined;
    const engine = await EngineProcess.start(cmd, { onExit: (code) => (exited = code) });
    assert.equal(engine.ready.token, 'abc_DEF-1');
    await engine.stop();
    assert.equal(engine.child.exitCode, 0);
    assert.equal(exited, 0);
    assert.equal(engine.stopping, true);
  });

  it('kills an engine that ignores SIGTERM after the grace period', async () => {
    const cmd = fake(
      'stubborn',
      // The handler goes in before the ready line, or an early SIGTERM would still kill it.
      `process.on('SIGTERM', () => {}); console.log(${JSON.stringify(LINE)}); setInterval(() => {}, 1000);`,
    );
    const engine = await EngineProcess.start(cmd);
    const started = Date.now();
    await engine.stop(300);
    assert.equal(engine.child.signalCode, 'SIGKILL');
    assert.ok(Date.now() - started < 3000);
  });

  it('fails with the engine stderr when it exits before ready', async () => {
    const cmd = fake('broken', `console.error('organism.yaml:3:1: cells: must be an array'); process.exit(2);`);
    await assert.rejects(EngineProcess.start(cmd), (err: Error) => {
      assert.equal(err.name, 'EngineStartError');
      assert.match(err.message, /exit code 2/);
      assert.match(err.message, /cells: must be an array/);
      return true;
    });
  });

  it('times out when no ready line comes', async () => {
    const cmd = fake('silent', `setInterval(() => {}, 1000);`);
    await assert.rejects(EngineProcess.start(cmd, { readyTimeoutMs: 300 }), /no ready line within/);
  });

  it('says Node is missing when the command does not exist', async () => {
    const cmd = { command: join(dir, 'no-such-node'), args: [], env: {}, cwd: dir };
    await assert.rejects(EngineProcess.start(cmd), /needs Node\.js 20 or newer/);
  });
});
