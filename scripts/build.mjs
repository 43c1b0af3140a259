#!/usr/bin/env node
// Builds what ships as static files: the renderer (Vite) and the Electron shell (esbuild).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// The engine as one ESM file: loading it skips tsx's per-module transform (cold start). The load
// generator's worker thread is a second entry.
step(bin('esbuild'), [
  'petri=engine/api/cli.ts',
  'traffic-worker=engine/traffic/worker.ts',
  '--bundle',
  '--platform=node',
  '--format=esm',
  '--target=node20',
  '--outdir=dist',
  '--out-extension:.js=.mjs',
  '--external:better-sqlite3',
  '--external:onnxruntime-node',
  '--external:tsx',
  "--banner:js=import { createRequire as __petriRequire } from 'node:module'; const require = __petriRequire(import.meta.url);",
  '--log-level=warning',
]);
if (existsSync(join(ROOT, 'renderer', 'vite.config.ts')))
  step(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
if (existsSync(join(ROOT, 'electron', 'main.ts'))) {
  for (const entry of ['main', 'preload']) {
    if (!existsSync(join(ROOT, 'electron', `${entry}.ts`))) continue;
    step(bin('esbuild'), [
      `electron/${entry}.ts`,
      '--bundle',
      '--platform=node',
      '--format=cjs',
      '--target=node20',
      '--external:electron',
      `--outfile=electron/dist/${entry}.cjs`,
      '--log-level=warning',
    ]);
  }
}
