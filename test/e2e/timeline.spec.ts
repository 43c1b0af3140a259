// The Timeline view: live events, filters, search, pause, and virtualisation under thousands.
import { connect } from '@nats-io/transport-node';
import { expect, test } from './fixtures.ts';

test('an event appears in the timeline within 1 s of the action', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/timeline&'));
  await expect(page.getByRole('listbox', { name: 'Events, newest first' })).toBeVisible();
  const cart = (await engine.api.cells()).find((c) => c.name === 'cart')!;
  const replica = `cart-${cart.replicas.length + 1}`;
  // Watch for the row inside the page (every animation frame), so the figure is the UI's own
  // latency and not the test runner's polling interval.
  const seen = page.waitForFunction(
    (text) => [...document.querySelectorAll('[role=option]')].some((o) => o.textContent?.includes(text)) && Date.now(),
    `replica=${replica}`,
    { polling: 'raf', timeout: 5000 },
  );
  const started = Date.now();
  await engine.api.scaleCell('cart', cart.desired + 1);
  const latency = ((await (await seen).jsonValue()) as number) - started;
  console.log(`scale request → its replica.started row on screen: ${latency} ms`);
  expect(latency).toBeLessThan(1000);
  await expect(
    page
      .getByRole('option')
      .filter({ hasText: 'replica.started' })
      .filter({ hasText: `replica=${replica}` }),
  ).toBeVisible();
  await engine.api.scaleCell('cart', cart.desired);
});

test('filters by domain, cell and text, and pauses', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/timeline&'));
  const list = page.getByRole('listbox', { name: 'Events, newest first' });
  await expect(list.getByRole('option').first()).toBeVisible();
  await page.getByRole('button', { name: 'cell', exact: true }).click();
  await expect(list.getByRole('option').first()).toContainText('cell.');
  for (const text of await list.getByRole('option').locator('.type').allTextContents()) expect(text).toMatch(/^cell\./);
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await page.getByLabel('Cell').selectOption('payments');
  for (const text of await list.getByRole('option').locator('.cell').allTextContents()) expect(text).toBe('payments');
  await page.getByLabel('Cell').selectOption('');
  await page.getByRole('button', { name: /Pause/ }).click();
  const pausedCount = await list.getByRole('option').count();
  await engine.api.scaleCell('payments', 2);
  await expect(page.getByRole('status').filter({ hasText: /Paused · [1-9]\d* new/ })).toBeVisible();
  expect(await list.getByRole('option').count()).toBe(pausedCount);
  await page.getByRole('button', { name: /Resume/ }).click();
  await expect(list.getByRole('option').filter({ hasText: 'replica=payments-2' }).first()).toBeVisible();
  await engine.api.scaleCell('payments', 1);
  // Keyboard: the list takes focus and arrows move the selection, which opens the details.
  await list.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('complementary', { name: 'Selected event' })).toBeVisible();
  await expect(list.getByRole('option', { selected: true })).toHaveCount(1);
});

test('thousands of events stay virtualised and searchable', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/timeline&'));
  const health = await engine.api.health();
  const organism = await engine.api.organism();
  const nc = await connect({ servers: health.bus.url });
  const count = 3000;
  const enc = new TextEncoder();
  for (let n = 0; n < count; n++)
    nc.publish(
      'petri.evt.bench.tick',
      enc.encode(JSON.stringify({ id: `e2e-${n}`, time: Date.now(), type: 'bench.tick', runId: organism.runId, data: { n } })),
    );
  await nc.flush();
  await nc.close();
  const list = page.getByRole('listbox', { name: 'Events, newest first' });
  await expect(list.getByRole('option').first()).toContainText('n=2999', { timeout: 5000 });
  const setSize = Number(await list.getByRole('option').first().getAttribute('aria-setsize'));
  expect(setSize).toBeGreaterThanOrEqual(count);
  const inDom = await list.getByRole('option').count();
  console.log(`${setSize} events held, ${inDom} rows in the DOM`);
  expect(inDom).toBeLessThan(80);
  await page.getByLabel('Search events').fill('"n":1234}');
  await expect(list.getByRole('option')).toHaveCount(1);
  await expect(list.getByRole('option')).toContainText('n=1234');
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await list.evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(list.getByRole('option').last()).toBeVisible();
});
