// The Timeline view: live events, filters, search, pause, and virtualisation under thousands.
import { connect } from '@nats-io/transport-node';
import { expect, test } from './fixtures.ts';

test('an event appears in the timeline within 1 s of the action', async ({ page, engine }) => {
  // Notes when each stream message arrives, to split the latency between engine and page.
  await page.addInitScript(() => {
    const arrivals: Array<[number, string]> = [];
    Object.assign(window, { __arrivals: arrivals });
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        this.addEventListener('message', (e: MessageEvent) => arrivals.push([Date.now(), String(e.data).slice(0, 4000)]));
      }
    };
  });
  await page.goto(engine.url.replace('/#', '/#/timeline&'));
  await expect(page.getByRole('listbox', { name: 'Events, newest first' })).toBeVisible();
  const cart = (await engine.api.cells()).find((c) => c.name === 'cart')!;
  const { lastSeq } = await engine.api.events({ limit: 1, order: 'desc' });
  // Watch for the row inside the page (every animation frame), so the figure is the UI's own
  // latency and not the test runner's polling interval. Rows carry their sequence in their id.
  const seen = page.waitForFunction(
    (after) => {
      for (const o of document.querySelectorAll('[role=option]'))
        if (Number(o.id.slice(3)) > after && o.textContent?.includes('replica.started') && o.textContent.includes('cart'))
          return { at: Date.now(), seq: Number(o.id.slice(3)) };
      return false;
    },
    lastSeq,
    { polling: 'raf', timeout: 5000 },
  );
  const started = Date.now();
  await engine.api.scaleCell('cart', cart.desired + 1);
  const { at, seq } = (await (await seen).jsonValue()) as { at: number; seq: number };
  const event = (await engine.api.events({ after: seq - 1, limit: 1 })).events[0]!;
  const arrivals = await page.evaluate(() => (window as unknown as { __arrivals: Array<[number, string]> }).__arrivals);
  const arrived = arrivals.find(([, text]) => text.includes(`"seq":${seq},`) || text.includes(`"seq":${seq}}`))?.[0];
  console.log(
    `scale request → replica.started on screen: ${at - started} ms (request → emitted ${event.time - started} ms, ` +
      `emitted → on the page's socket ${arrived === undefined ? '?' : arrived - event.time} ms, ` +
      `socket → on screen ${arrived === undefined ? '?' : at - arrived} ms)`,
  );
  expect(event.type).toBe('replica.started');
  expect(at - started).toBeLessThan(1000);
  await engine.api.scaleCell('cart', cart.desired);
});

test('filters by domain, cell and text, and pauses', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/timeline&'));
  const list = page.getByRole('listbox', { name: 'Events, newest first' });
  await expect(list.getByRole('option').first()).toBeVisible();
  // Earlier tests on this engine may have pushed its cell events out of the backfill: make some.
  await engine.api.spawnCell({ name: 'timeline-probe', operations: [{ name: 'op', latency: { p50: '1ms', p99: '2ms' } }] });
  await engine.api.removeCell('timeline-probe');
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
  // The engine's own events (scaling decisions…) interleave: look at the benchmark's domain only.
  await page.getByRole('button', { name: 'bench', exact: true }).click();
  await expect(list.getByRole('option').first()).toContainText('n=2999', { timeout: 5000 });
  const setSize = Number(await list.getByRole('option').first().getAttribute('aria-setsize'));
  expect(setSize).toBe(count);
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
