#!/usr/bin/env node
// Installs what `npm start` / `npm test` / `npm run bench` need on a fresh machine, then gets out
// of the way: npm dependencies (npm ci when the lock file changed), the Debian packages nats-server
// and, for tests and benches, chromium (apt-get as root, sudo otherwise, else a message naming the
// package and its Homebrew equivalent), and a fresh build of the engine bundle and the UI — benches
// must measure the bundle users run: in a NATS request/reply micro-benchmark, tsx's loader made
// ~12 times more bytes survive young-generation GC (785 KB against 67 KB per scavenge).
// Plain Node: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.argv[2] ?? 'start';
const log = (msg) => process.stderr.write(`petri setup: ${msg}\n`);

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (r.error) return { ok: false, why: r.error.message };
  return { ok: r.status === 0, why: `exit code ${r.status}` };
}

function which(name, extra = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin', '/snap/bin']) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

function ensureNpmDeps() {
  const lock = join(ROOT, 'package-lock.json');
  const stamp = join(ROOT, 'node_modules', '.petri-lock-hash');
  const hash = existsSync(lock) ? createHash('sha256').update(readFileSync(lock)).digest('hex') : 'no-lock';
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  if (!existsSync(stamp) && existsSync(installed) && existsSync(lock) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) {
    writeFileSync(stamp, hash);
    return;
  }
  log(
    existsSync(join(ROOT, 'node_modules'))
      ? 'dependencies changed: npm ci'
      : 'installing npm dependencies (npm ci, about 2 minutes: better-sqlite3 compiles)',
  );
  const r = run('npm', existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'], {
    shell: process.platform === 'win32',
  });
  if (!r.ok) {
    log(`npm install failed (${r.why}); fix the error above and run again`);
    process.exit(1);
  }
  writeFileSync(stamp, hash);
}

/** Installs Debian packages as root, through sudo otherwise; false when that is not possible. */
function aptInstall(packages) {
  if (!which('apt-get')) return false;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : which('sudo') ? ['sudo'] : undefined;
  if (!sudo) return false;
  log(`installing ${packages.join(', ')} with ${sudo.length ? 'sudo ' : ''}apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const [cmd, ...pre] = [...sudo, 'apt-get'];
  run(cmd, [...pre, 'update', '-qq'], { env });
  return run(cmd, [...pre, 'install', '-y', '-qq', '--no-install-recommends', ...packages], { env }).ok;
}

function ensureBinary({ name, found, aptPackage, brew, env }) {
  if (found()) return;
  if (aptInstall([aptPackage]) && found()) return;
  log(
    `${name} is missing. Install it with \`sudo apt-get install ${aptPackage}\` (Debian/Ubuntu) or \`${brew}\` (macOS)` +
      (env ? `, or point ${env} at it` : '') +
      ', then run this command again.',
  );
  process.exit(1);
}

function newestMtime(dir, skip) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.includes(entry.name)) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p, skip) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
  const has = (d) => existsSync(join(ROOT, d));
  // The engine bundle must be newer than every engine source; the UI than renderer/, engine/api/
  // (its types) and electron/.
  const engineFresh = mtime(join(ROOT, 'dist', 'petri.mjs')) >= newestMtime(join(ROOT, 'engine'), []);
  const uiSources = Math.max(
    has('renderer') ? newestMtime(join(ROOT, 'renderer'), ['dist', 'node_modules']) : 0,
    has('electron') ? newestMtime(join(ROOT, 'electron'), ['dist']) : 0,
    has('renderer') ? newestMtime(join(ROOT, 'engine', 'api'), []) : 0,
  );
  const uiBuilt = Math.min(
    has('renderer') ? mtime(join(ROOT, 'renderer', 'dist', 'index.html')) : Infinity,
    has('electron') ? mtime(join(ROOT, 'electron', 'dist', 'main.cjs')) : Infinity,
  );
  const uiFresh = uiBuilt >= uiSources;
  if (engineFresh && uiFresh) return;
  log(`building ${[engineFresh ? '' : 'the engine bundle', uiFresh ? '' : 'the UI'].filter(Boolean).join(' and ')}`);
  const r = run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')]);
  if (!r.ok) {
    log(`the build failed (${r.why})`);
    process.exit(1);
  }
}

ensureNpmDeps();
ensureBinary({
  name: 'nats-server',
  found: () => (process.env.PETRI_NATS_SERVER && existsSync(process.env.PETRI_NATS_SERVER)) || which('nats-server'),
  aptPackage: 'nats-server',
  brew: 'brew install nats-server',
  env: 'PETRI_NATS_SERVER',
});
if (mode === 'test' || mode === 'bench') {
  ensureBinary({
    name: 'chromium (for browser tests)',
    found: () =>
      (process.env.PETRI_CHROMIUM && existsSync(process.env.PETRI_CHROMIUM)) || which('chromium') || which('chromium-browser'),
    aptPackage: 'chromium',
    brew: 'brew install --cask chromium',
    env: 'PETRI_CHROMIUM',
  });
}
ensureBuilt();
