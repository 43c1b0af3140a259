/**
 * Test helper: a whole engine (real nats-server, real SQLite file in a temp data dir) growing an
 * organism given as YAML text or a file, stopped and cleaned when the scope ends.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../engine/engine.ts';
import { silentLogger } from '../../engine/log.ts';
import { loadOrganismFile, parseOrganism } from '../../engine/organism/index.ts';
import { ControlServer } from '../../engine/api/index.ts';
import { ApiClient } from '../../engine/api/client.ts';

/** A running engine for one test. */
export interface TestEngine extends AsyncDisposable {
  engine: Engine;
  dataDir: string;
  gateway: string;
  /** Present when started with `api: true`. */
  api?: ApiClient;
  server?: ControlServer;
}

/** Options: the organism as YAML text (`yaml`) or a path (`file`), plus engine options. */
export interface TestEngineOptions extends Partial<Omit<EngineOptions, 'organism'>> {
  yaml?: string;
  file?: string;
  api?: boolean;
}

export async function startEngine(options: TestEngineOptions): Promise<TestEngine> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'petri-engine-'));
  const organism = options.file ? await loadOrganismFile(options.file) : parseOrganism(options.yaml ?? '', 'test.yaml');
  const engine = await Engine.start({ logger: silentLogger, seed: 1, ...options, organism, dataDir });
  let server: ControlServer | undefined;
  if (options.api) {
    server = new ControlServer({ engine, port: 0 });
    await server.listen();
    engine.onStop(() => server!.close());
  }
  return {
    engine,
    dataDir,
    gateway: engine.gateway.url,
    server,
    api: server ? new ApiClient(server.url, server.token) : undefined,
    async [Symbol.asyncDispose]() {
      await engine.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes; returns the last value. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000, stepMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last = await fn();
  while (!last && Date.now() < end) {
    await new Promise((r) => setTimeout(r, stepMs));
    last = await fn();
  }
  return last;
}

/** A minimal organism: one cell `echo` with one operation `hello`, route GET /hello. */
export const ECHO_ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: echo }
cells:
  - name: echo
    replicas: 1
    operations:
      - { name: hello, latency: { p50: 1ms, p99: 3ms } }
pathways:
  - { route: GET /hello, to: echo.hello }
`;
