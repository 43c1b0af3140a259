// The Signals view against a live engine: change a number, see the history row, roll back, see
// the value restored — each step checked through the API too — and a refused value.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, seriousAxeViolations, test } from './fixtures.ts';

const KEY = 'pricing.latencyFactor';

// The refused value makes the browser log its 400 answer.
test.use({ allowedConsoleErrors: /status of 400/ });

test('a number signal changed from its box shows in history, rolls back, and refusals keep the last good value', async ({
  page,
  engine,
}, testInfo) => {
  const before = await engine.api.signal(KEY);
  await page.goto(engine.url.replace('/#', `/#/signals/${KEY}&`));
  const row = page.locator(`[data-signal="${KEY}"]`);
  const box = row.getByRole('textbox', { name: KEY, exact: true });
  await expect(box).toHaveValue(String(before.value));

  await box.fill('3');
  await box.press('Enter');
  await expect.poll(async () => (await engine.api.signal(KEY)).value).toBe(3);
  const changed = await engine.api.signal(KEY);
  expect(changed.author).toBe('ui');

  const history = page.getByRole('table', { name: `Revisions of ${KEY}` });
  const newest = history.locator(`[data-revision="${changed.revision}"]`);
  await expect(newest).toContainText(`${String(before.value)} → 3`);
  await expect(newest).toContainText('ui');
  await expect(newest).toContainText('current');

  // A value over the signal's max (1000): the engine's problem shows, the box returns to 3.
  await box.fill('5000');
  await box.press('Enter');
  await expect(row.getByRole('alert')).toContainText(/1000/);
  await expect(box).toHaveValue('3');
  expect((await engine.api.signal(KEY)).value).toBe(3);

  if (process.env.PETRI_UPDATE_SCREENSHOTS) {
    const file = testInfo.outputPath('signals.png');
    await page.screenshot({ path: file });
    const target = join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'signals.png');
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }

  await history.getByRole('button', { name: `Roll back to revision ${before.revision}` }).click();
  await expect.poll(async () => (await engine.api.signal(KEY)).value).toBe(before.value);
  await expect(box).toHaveValue(String(before.value));
  const after = await engine.api.signal(KEY);
  await expect(history.locator(`[data-revision="${after.revision}"]`)).toContainText(`3 → ${String(before.value)}`);
  await expect(history.locator(`[data-revision="${after.revision}"]`)).toContainText('rollback');
});

test('a bounded number moves with its slider from the keyboard', async ({ page, engine }) => {
  const key = 'scaling.pricing.targetUtilization';
  const before = (await engine.api.signal(key)).value as number;
  await page.goto(engine.url.replace('/#', '/#/signals&'));
  const slider = page.getByRole('slider', { name: `${key} slider` });
  await slider.focus();
  await slider.press('ArrowRight');
  await expect.poll(async () => (await engine.api.signal(key)).value).toBeCloseTo(before + 0.001, 6);
  await engine.api.setSignal(key, before);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no serious violations in Signals (${colorScheme})`, async ({ page, engine }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(engine.url.replace('/#', `/#/signals/${KEY}&`));
    await expect(page.getByRole('table', { name: `Revisions of ${KEY}` })).toBeVisible();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
}
