// Root postinstall: fetch Electron's binary when the network allows it, never fail the install.
// npm's allowScripts policy keeps electron's own install script from running (it would fail the
// whole install on offline machines), so we run it here ourselves and swallow the failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
let electronDir;
try {
  electronDir = dirname(require.resolve('electron/package.json'));
} catch {
  process.exit(0); // electron is a dev dependency: absent in production installs
}
const installer = join(electronDir, 'install.js');
if (!existsSync(installer) || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('petri: Electron binary download skipped; `petri start` will fall back to the browser UI.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [installer], {
  cwd: electronDir,
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
  encoding: 'utf8',
});
if (result.status === 0 && existsSync(join(electronDir, 'path.txt'))) {
  console.log('petri: Electron binary installed; `petri start` opens the desktop app.');
} else {
  const reason =
    (result.stderr ?? '')
      .trim()
      .split('\n')
      .find((l) => /error/i.test(l)) ?? 'download failed';
  console.log(
    `petri: Electron binary not available (${reason.slice(0, 160)}); \`petri start\` will fall back to the browser UI.`,
  );
}
process.exit(0);
