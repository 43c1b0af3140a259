#!/usr/bin/env node
// Import boundaries between runtimes and domains (CONVENTIONS.md 1–2), checked mechanically:
// - engine/ never imports electron, renderer/ or electron/;
// - renderer/ imports only its own files, npm UI packages and the contract modules below —
//   engine/api's shared modules (schema, events, event-types, client), util/units.ts,
//   faults/kinds.ts and each domain's schema.ts — never node: built-ins or other engine code;
// - electron/ never imports renderer/ or engine internals (it starts the engine as a process);
// - inside engine/, a domain imports another domain only through its index.ts; the shared
//   contract modules and the top-level files are open to all.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
// Node-free contract modules: the API types and client, plain catalogues (event types, fault and
// attack kinds) and each domain's schema.ts (the specs the API embeds: manifest, faults, traffic…).
// Anyone may import them; the renderer type-checks them.
const CONTRACTS = [
  'engine/api/schema.ts',
  'engine/api/events.ts',
  'engine/api/event-types.ts',
  'engine/api/client.ts',
  'engine/util/units.ts',
  'engine/faults/kinds.ts',
];
const isContract = (target) => CONTRACTS.includes(target) || /^engine\/[a-z-]+\/schema\.ts$/.test(target);
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function files(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e === 'node_modules' || e === 'dist') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else if (/\.(ts|svelte|mjs|js)$/.test(e)) out.push(p);
  }
  return out;
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const m of text.matchAll(IMPORT)) found.push(m[1] ?? m[2] ?? m[3]);
  return found.filter(Boolean);
}

const rel = (p) => relative(ROOT, p).split(sep).join('/');
const problems = [];
const bad = (file, spec, why) => problems.push(`${rel(file)}: imports '${spec}': ${why}`);

for (const file of files(join(ROOT, 'engine'))) {
  const from = rel(file);
  const domain = from.split('/').length > 2 ? from.split('/')[1] : undefined;
  for (const spec of importsOf(file)) {
    if (spec === 'electron' || spec.startsWith('electron/')) bad(file, spec, 'the engine never imports Electron');
    if (!spec.startsWith('.')) continue;
    const target = rel(resolve(dirname(file), spec));
    if (!target.startsWith('engine/')) {
      if (!from.endsWith('.test.ts')) bad(file, spec, 'the engine imports nothing outside engine/');
      continue;
    }
    const parts = target.split('/');
    if (parts.length <= 2) continue; // top-level engine files (clock, errors, log, engine)
    const targetDomain = parts[1];
    if (targetDomain === domain || targetDomain === 'util') continue;
    if (isContract(target)) continue;
    if (parts.length === 3 && parts[2] === 'index.ts') continue;
    bad(file, spec, `cross-domain imports go through engine/${targetDomain}/index.ts`);
  }
}

// Files under renderer/ that run in Node, not in the page: unit tests and build configuration.
const RENDERER_NODE_SIDE = /(\.test\.ts|\/vite\.config\.ts|\/svelte\.config\.js)$/;

for (const file of files(join(ROOT, 'renderer'))) {
  const nodeSide = RENDERER_NODE_SIDE.test(rel(file));
  for (const spec of importsOf(file)) {
    if (spec === 'electron' || (spec.startsWith('node:') && !nodeSide))
      bad(file, spec, 'the renderer runs in a browser: no Node or Electron modules');
    if (!spec.startsWith('.')) continue;
    const target = rel(resolve(dirname(file), spec));
    if (target.startsWith('renderer/')) continue;
    if (!isContract(target))
      bad(
        file,
        spec,
        `the renderer may import only the engine's contract modules (${CONTRACTS.join(', ')}, engine/<domain>/schema.ts)`,
      );
    else if (!rel(file).startsWith('renderer/lib/api/') && !/^import\s+type\b/m.test(readFileSync(file, 'utf8')))
      bad(file, spec, 'only renderer/lib/api/ talks to the engine; elsewhere import types only');
  }
}

for (const file of files(join(ROOT, 'electron'))) {
  for (const spec of importsOf(file)) {
    if (!spec.startsWith('.')) continue;
    const target = rel(resolve(dirname(file), spec));
    if (target.startsWith('renderer/')) bad(file, spec, 'Electron does not import renderer code; it loads the UI by URL');
    if (target.startsWith('engine/') && !isContract(target))
      bad(file, spec, 'Electron starts the engine as a child process; it imports no engine code');
  }
}

if (problems.length) {
  console.error(`Import boundary violations (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('import boundaries ok');
