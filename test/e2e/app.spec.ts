// The shell: no-token and refused-token states, the metrics view, keyboard navigation, and axe.
import type { Page } from '@playwright/test';
import { expect, seriousAxeViolations, test } from './fixtures.ts';

test.describe('without a valid token', () => {
  test.use({ allowedConsoleErrors: /status of 401|WebSocket connection .* failed: HTTP Authentication failed/ });

  test('says where to find the URL when the token is missing or refused', async ({ page, engine }) => {
    await page.goto(engine.url.replace(/#token=.*/, '#/organism'));
    await expect(page.getByRole('alert')).toContainText("This page needs the engine's token");
    await page.goto('about:blank');
    await page.goto(engine.url.replace(/token=.*/, 'token=wrong'));
    await expect(page.getByRole('alert')).toContainText("The engine refused this page's token", { timeout: 10_000 });
  });
});

test('Alt+number switches views, and the metrics view charts routes and cells', async ({ page, engine }) => {
  await page.goto(engine.url);
  await expect(page.locator('[data-cell="catalog"]')).toBeVisible();
  await page.keyboard.press('Alt+2');
  await expect(page.getByRole('heading', { name: 'Timeline', level: 1 })).toBeVisible();
  expect(new URL(page.url()).hash).toBe('#/timeline');
  await page.keyboard.press('Alt+3');
  await expect(page.getByRole('heading', { name: 'Metrics', level: 1 })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Metrics' })).toHaveAttribute('aria-current', 'page');
  for (const title of ['Requests per second, by route', 'p99 latency, by route', 'Error rate, by route', 'Replicas, by cell'])
    await expect(page.getByRole('figure', { name: title })).toBeVisible();
  const replicas = page.getByRole('figure', { name: 'Replicas, by cell' });
  await expect(replicas.locator('canvas')).toHaveCount(1);
  await expect(replicas.getByRole('listitem').filter({ hasText: 'catalog' })).toContainText(/catalog\s*2/);
  // Each second's frame is drawn (in a task of its own): the time axis moves on.
  const pixels = (): Promise<string> => replicas.locator('canvas').evaluate((c: HTMLCanvasElement) => c.toDataURL());
  const before = await pixels();
  await expect.poll(pixels, { timeout: 5000 }).not.toBe(before);
});

async function checkAxe(page: Page, what: string): Promise<void> {
  const violations = await seriousAxeViolations(page);
  expect(violations, `${what}: serious or critical axe violations`).toEqual([]);
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no serious violations (${colorScheme})`, async ({ page, engine }) => {
    await page.emulateMedia({ colorScheme });
    await page.goto(engine.url);
    await page.locator('[data-cell="catalog"]').click();
    await expect(page.getByRole('complementary', { name: 'catalog' })).toBeVisible();
    await checkAxe(page, 'organism with the cell panel');
    // Structure is the same in both schemes; the dark run checks the busiest views' colours.
    if (colorScheme === 'light') {
      await page.getByRole('button', { name: 'Spawn cell' }).click();
      await checkAxe(page, 'spawn dialog');
      await page.keyboard.press('Escape');
    }
    await page.getByRole('link', { name: 'Timeline' }).click();
    // Paused, the rows hold still: on a busy machine new events kept the first row moving.
    await page.getByRole('button', { name: /Pause/ }).click();
    await page.getByRole('listbox', { name: 'Events, newest first' }).getByRole('option').first().click();
    await checkAxe(page, 'timeline with an event selected');
    if (colorScheme === 'light') {
      await page.getByRole('link', { name: 'Metrics' }).click();
      await expect(page.getByRole('figure').first()).toBeVisible();
      await checkAxe(page, 'metrics');
    }
  });
}

test('once the first picture is up, the other views are fetched while idle, and opening one fetches nothing more', async ({
  page,
  engine,
}) => {
  await page.goto(engine.url);
  await expect(page.locator('[data-cell="catalog"]')).toBeVisible();
  const lazy = (await page.locator('meta[name="petri-lazy"]').getAttribute('content'))!.split(' ');
  expect(
    lazy.some((f) => /\/Chart-[\w-]+\.js$/.test(f)),
    'the charts chunk is among the lazy files',
  ).toBe(true);
  const fetched = (): Promise<string[]> =>
    page.evaluate(() => performance.getEntriesByType('resource').map((r) => new URL(r.name).pathname));
  const names = lazy.map((f) => f.replace(/^\./, ''));
  await expect
    .poll(
      async () => {
        const done = await fetched();
        return names.filter((n) => !done.includes(n));
      },
      { timeout: 15_000 },
    )
    .toEqual([]);
  const before = (await fetched()).length;
  await page.getByRole('link', { name: 'Metrics' }).click();
  await expect(page.getByRole('figure', { name: 'Requests per second, by route' })).toBeVisible();
  const scripts = (await fetched()).slice(before).filter((p) => p.endsWith('.js'));
  expect(scripts, 'no script fetched again when the view opens').toEqual([]);
});
