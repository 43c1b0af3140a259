// The desktop app through Playwright's Electron driver — where an Electron binary exists. Offline
// machines (this project's CI) cannot download it: the test then skips and prints why.
import { _electron } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** The Electron binary, or why there is none. */
function electronBinary(): { path: string } | { missing: string } {
  const dir = join(ROOT, 'node_modules', 'electron');
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt))
    return { missing: 'node_modules/electron/path.txt is absent: the Electron binary was never downloaded' };
  const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  if (!existsSync(bin)) return { missing: `the Electron binary is missing at ${bin}` };
  if (!existsSync(join(ROOT, 'electron', 'dist', 'main.cjs')))
    return { missing: 'electron/dist/main.cjs is not built (npm run build)' };
  if (process.platform === 'linux' && !process.env.DISPLAY) return { missing: 'no display (run under xvfb-run)' };
  return { path: bin };
}

test('the desktop app starts the engine, shows the organism and stops the engine on quit', async () => {
  const bin = electronBinary();
  if ('missing' in bin) console.log(`Electron e2e skipped: ${bin.missing}`);
  test.skip('missing' in bin, 'missing' in bin ? bin.missing : '');
  if ('missing' in bin) return;
  const data = mkdtempSync(join(tmpdir(), 'petri-electron-e2e-'));
  const app = await _electron.launch({
    executablePath: bin.path,
    args: [join(ROOT, 'electron', 'dist', 'main.cjs'), '--data', data, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    env: { ...process.env, PETRI_ROOT: ROOT },
  });
  try {
    const win = await app.firstWindow({ timeout: 30_000 });
    await expect(win.locator('[data-cell="catalog"]')).toBeVisible({ timeout: 30_000 });
    const isolated = await win.evaluate(() => typeof (globalThis as { require?: unknown }).require === 'undefined');
    expect(isolated, 'no Node in the page').toBe(true);
    const origin = new URL(win.url()).origin;
    const blocked = await win.evaluate(() => window.open('https://example.com') === null);
    expect(blocked, 'window.open is denied').toBe(true);
    await app.close();
    const answered = await fetch(`${origin}/api/health`).then(
      () => true,
      () => false,
    );
    expect(answered, 'the engine stopped with the app').toBe(false);
  } finally {
    await app.close().catch(() => {});
    rmSync(data, { recursive: true, force: true });
  }
});
