// Last in the run (it freezes the shared engine): the page shows the engine going away and
// recovers on its own when it comes back. Also takes the README screenshot.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, test } from './fixtures.ts';

test.describe('engine outage', () => {
  test.use({ allowedConsoleErrors: /WebSocket connection|Failed to load resource/ });

  test('is shown while the engine is frozen and cleared when it is back', async ({ page, engine }) => {
    await page.goto(engine.url);
    const live = page.getByRole('status', { name: 'Engine connection: Live' });
    await expect(live).toBeVisible();
    const pid = engine.serve.child.pid!;
    const banner = page.getByRole('alert').filter({ hasText: 'Engine unreachable' });
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(banner).toBeVisible({ timeout: 10_000 });
      await expect(page.locator('[data-cell="catalog"]'), 'the last picture stays on screen').toBeVisible();
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await expect(banner).toBeHidden({ timeout: 10_000 });
    await expect(live).toBeVisible();
  });
});

test('README screenshot of the organism under traffic', async ({ page, engine }, info) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(engine.url);
  // Six loops from one address as fast as they go is a flood to the anomaly layer, which would
  // (rightly) quarantine this test: the picture is of the topology, so the chain is off meanwhile.
  await engine.api.setImmune(false);
  // Some life in the picture: a third catalog replica, and payments failing a third of its calls.
  await engine.api.scaleCell('catalog', 3);
  await engine.api.setSignal('payments.errorRate', 0.3);
  const gateway = engine.serve.gateway;
  const routes: Array<[string, string]> = [
    ['GET', '/products'],
    ['GET', '/products/7'],
    ['GET', '/products'],
    ['POST', '/cart/items'],
    ['GET', '/cart'],
    ['POST', '/checkout'],
  ];
  // Traffic keeps flowing while the picture is taken: the figures show the last second.
  let i = 0;
  let running = true;
  const send = async (): Promise<void> => {
    const [method, path] = routes[i++ % routes.length]!;
    await fetch(`${gateway}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  };
  const drivers = Array.from({ length: 6 }, async () => {
    while (running) await send();
  });
  await page.waitForTimeout(2500);
  await expect(page.locator('.label').first()).toBeVisible();
  const file = info.outputPath('organism.png');
  await page.screenshot({ path: file });
  running = false;
  await Promise.all(drivers);
  await engine.api.setSignal('payments.errorRate', null);
  await engine.api.scaleCell('catalog', 2);
  await engine.api.setImmune(true);
  if (process.env.PETRI_UPDATE_SCREENSHOTS) {
    const target = join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'organism.png');
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
    console.log(`README screenshot written to ${target}`);
  } else console.log(`screenshot at ${file} (PETRI_UPDATE_SCREENSHOTS=1 also writes docs/screenshots/organism.png)`);
});
