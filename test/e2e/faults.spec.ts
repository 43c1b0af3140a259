// The Faults & Attacks view: inject a latency fault from the form, see it listed (and in the
// API), clear it, see it gone.
import { expect, seriousAxeViolations, test } from './fixtures.ts';

test('a latency fault injected from the form is listed, then cleared', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/faults&'));
  const form = page.getByRole('form', { name: 'Inject a fault' });
  await form.getByLabel('Kind').selectOption('latency');
  await form.getByLabel('Cell').selectOption('inventory');
  await form.getByLabel('Added latency').fill('50ms');
  await form.getByLabel('For').fill('2m');
  await form.getByRole('button', { name: 'Inject latency' }).click();

  await expect
    .poll(async () => (await engine.api.faults()).faults.map((f) => f.spec))
    .toEqual([{ kind: 'latency', cell: 'inventory', add: '50ms', for: '2m' }]);
  const { id } = (await engine.api.faults()).faults[0]!;
  const row = page.locator(`[data-fault="${id}"]`);
  await expect(row).toContainText('+50ms on inventory');
  await expect(row).toContainText(/[12]m \d\ds left/);

  await row.getByRole('button', { name: `Clear ${id}` }).click();
  await expect(row).toBeHidden();
  expect((await engine.api.faults()).faults).toEqual([]);
  await expect(page.getByText('No fault is active.')).toBeVisible();
});

test.describe('refused by the engine', () => {
  // The browser logs every 400 answer; here one is the point of the test.
  test.use({ allowedConsoleErrors: /status of 400/ });

  test('a fault the engine refuses shows its problem and injects nothing', async ({ page, engine }) => {
    await page.goto(engine.url.replace('/#', '/#/faults&'));
    const form = page.getByRole('form', { name: 'Inject a fault' });
    await form.getByLabel('Kind').selectOption('partition');
    await form.getByLabel('Cell', { exact: false }).first().selectOption('cart');
    await form.getByRole('button', { name: 'Inject partition' }).click();
    await expect(form.getByRole('alert')).toContainText("needs 'to'");
    expect((await engine.api.faults()).faults).toEqual([]);
  });
});

test('axe finds no serious violations in Faults & Attacks', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/faults&'));
  await expect(page.getByRole('form', { name: 'Launch an attack' })).toBeVisible();
  expect(await seriousAxeViolations(page)).toEqual([]);
});
