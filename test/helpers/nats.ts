/**
 * Test helper: a real nats-server with JetStream on a random port in a temp dir, stopped (and
 * its dir removed) when the test's `await using` scope ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NatsSupervisor } from '../../engine/bus/index.ts';
import { silentLogger } from '../../engine/log.ts';

/** A running nats-server for one test. */
export interface TestNats extends AsyncDisposable {
  url: string;
  dir: string;
  supervisor: NatsSupervisor;
}

/** Starts nats-server (`port 0` → the server picks one) under a fresh temp dir. */
export async function startNats(options: { restart?: boolean } = {}): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), 'petri-nats-'));
  const supervisor = new NatsSupervisor({ dir, logger: silentLogger, restart: options.restart ?? false });
  await supervisor.start();
  return {
    url: supervisor.url,
    dir,
    supervisor,
    async [Symbol.asyncDispose]() {
      await supervisor.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
