// The Organism view against a live engine growing the demo organism.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect, test } from './fixtures.ts';

const DEMO = parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'organisms', 'demo.yaml'), 'utf8')) as {
  cells: Array<{ name: string }>;
  pathways: Array<{ route: string }>;
};

test('the topology shows every demo cell and route, with ready replica counts', async ({ page, engine }) => {
  await page.goto(engine.url);
  for (const { name } of DEMO.cells) await expect(page.locator(`[data-cell="${name}"]`)).toBeVisible();
  for (const { route } of DEMO.pathways) {
    const [method, path] = route.split(' ');
    await expect(page.locator('.route', { hasText: path! }).filter({ hasText: method! }).first()).toBeVisible();
  }
  // Each node's number is its ready replicas, as the API counts them (catalog starts in 2 s).
  const readyOf = (c: { replicas: Array<{ state: string }> }): number => c.replicas.filter((r) => r.state === 'ready').length;
  await expect.poll(async () => (await engine.api.cells()).every((c) => readyOf(c) === c.desired)).toBe(true);
  for (const c of await engine.api.cells())
    await expect(page.locator(`[data-cell="${c.name}"] .count`)).toHaveText(String(readyOf(c)));
  await expect(page).toHaveTitle(/shop · Organism · Petri/);
  expect(page.url(), 'the token leaves the address bar').not.toContain('token=');
});

test('scaling from the cell panel changes the replicas the API reports', async ({ page, engine }) => {
  await page.goto(engine.url);
  const before = (await engine.api.cells()).find((c) => c.name === 'pricing')!.desired;
  await page.locator('[data-cell="pricing"]').click();
  const panel = page.getByRole('complementary', { name: 'pricing' });
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: 'Add one replica' }).click();
  await expect.poll(async () => (await engine.api.cells()).find((c) => c.name === 'pricing')!.desired).toBe(before + 1);
  await expect
    .poll(async () => (await engine.api.cells()).find((c) => c.name === 'pricing')!.replicas.filter((r) => r.state === 'ready'))
    .toHaveLength(before + 1);
  await expect(panel.getByRole('row')).toHaveCount(before + 2, { timeout: 3000 }); // header + replicas
  await expect(page.locator('[data-cell="pricing"] .count')).toHaveText(String(before + 1));
  await panel.getByRole('button', { name: 'Remove one replica' }).click();
  await expect.poll(async () => (await engine.api.cells()).find((c) => c.name === 'pricing')!.desired).toBe(before);
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await expect(page.locator('[data-cell="pricing"]')).toBeFocused();
});

test('the panel shows the latency histogram of a cell with traffic', async ({ page, engine }) => {
  await page.goto(`${engine.url.replace('/#', '/#/organism/inventory&')}`);
  const panel = page.getByRole('complementary', { name: 'inventory' });
  await expect(panel).toBeVisible();
  const gateway = engine.serve.gateway;
  const deadline = Date.now() + 8000;
  const histogram = panel.getByRole('img', { name: /Latency histogram/ });
  while (Date.now() < deadline && !(await histogram.isVisible())) {
    await Promise.all(Array.from({ length: 10 }, () => fetch(`${gateway}/products/1`).then((r) => r.arrayBuffer())));
    await page.waitForTimeout(200);
  }
  await expect(histogram).toBeVisible();
  await expect(panel.getByText(/\d+ requests · median [\d.]+ m?s · p99/)).toBeVisible();
});

test('a cell spawned from the form joins the topology and can be removed', async ({ page, engine }) => {
  await page.goto(engine.url);
  await page.getByRole('button', { name: 'Spawn cell' }).click();
  const dialog = page.getByRole('dialog', { name: 'Spawn a cell' });
  await dialog.getByLabel('Name').fill('Reviews');
  await dialog.getByRole('button', { name: 'Spawn cell' }).click();
  await expect(dialog.getByText('lower-case letters, digits and dashes, starting with a letter')).toBeVisible();
  await dialog.getByLabel('Name').fill('reviews');
  await dialog.getByLabel('inventory.stock').check();
  await dialog.getByRole('button', { name: 'Spawn cell' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.locator('[data-cell="reviews"]')).toBeVisible();
  const spawned = (await engine.api.cells()).find((c) => c.name === 'reviews');
  expect(spawned?.operations[0]?.calls.map((c) => `${c.cell}.${c.op}`)).toEqual(['inventory.stock']);

  const panel = page.getByRole('complementary', { name: 'reviews' });
  await panel.getByRole('button', { name: 'Remove cell…' }).click();
  await panel.getByRole('button', { name: 'Yes, remove reviews' }).click();
  await expect(page.locator('[data-cell="reviews"]')).toBeHidden();
  expect((await engine.api.cells()).map((c) => c.name)).not.toContain('reviews');
});
