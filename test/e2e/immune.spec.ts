// The Immune view: a flood launched from the Faults & Attacks form opens an incident and
// quarantines its clients; Release frees one (checked through the API).
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, seriousAxeViolations, test } from './fixtures.ts';

test('a flood from the UI is contained: incident and quarantines appear, Release frees a client', async ({
  page,
  engine,
}, testInfo) => {
  test.setTimeout(60_000);
  const before = new Set((await engine.api.incidents()).incidents.map((i) => i.id));
  await page.goto(engine.url.replace('/#', '/#/faults&'));
  const form = page.getByRole('form', { name: 'Launch an attack' });
  await form.getByLabel('Kind').selectOption('flood');
  await form.getByLabel('Route').selectOption('GET /products');
  await form.getByLabel('Rate').fill('400/s');
  await form.getByLabel('Clients').fill('2');
  await form.getByLabel('For', { exact: true }).fill('20s');
  await form.getByRole('button', { name: 'Launch flood' }).click();
  const attack = page.locator('[data-stream^="flood-"]');
  await expect(attack).toBeVisible();
  const name = (await attack.getAttribute('data-stream'))!;
  const { addresses } = (await engine.api.attacks()).attacks.find((a) => a.name === name)!;

  await page.getByRole('link', { name: 'Immune' }).click();
  const incidents = page.getByRole('table', { name: 'Incidents' });
  await expect
    .poll(async () => (await engine.api.incidents()).incidents.filter((i) => !before.has(i.id)).length, { timeout: 15_000 })
    .toBe(1);
  const incident = (await engine.api.incidents()).incidents.find((i) => !before.has(i.id))!;
  expect(incident.kind).toBe('rate-abuse');
  const row = incidents.locator(`[data-incident="${incident.id}"]`);
  await expect(row).toContainText('rate-abuse');
  await expect(row).toContainText(incident.clients[0]!);

  const client = addresses.first;
  await expect
    .poll(async () => (await engine.api.quarantines()).quarantines.map((q) => q.client), { timeout: 15_000 })
    .toContain(client);
  const quarantine = page.locator(`[data-quarantine="${client}"]`);
  await expect(quarantine).toContainText(/\dm \d\ds left/);
  await expect(row).toContainText(/in \d/); // contained in N ms/s once every client is quarantined
  // The bars name the layers the engine's refusal events name (connections or rate-limit first).
  const refusals = await engine.api.events({ type: ['immune.blocked', 'immune.throttled'], limit: 1 });
  const layer = refusals.events[0]?.data.layer;
  expect(typeof layer).toBe('string');
  await expect(page.getByRole('list', { name: 'Refused by layer' })).toContainText(layer as string);

  if (process.env.PETRI_UPDATE_SCREENSHOTS) {
    const file = testInfo.outputPath('immune.png');
    await page.screenshot({ path: file });
    const target = join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'immune.png');
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  expect(await seriousAxeViolations(page), 'axe on the Immune view with data').toEqual([]);

  // Stop the flood first, or the released client would be quarantined again at once.
  await engine.api.stopAttack(name);
  // Requests the generator had already sent still arrive for a moment and would trip the limits
  // again: release once the flood has gone quiet.
  await expect
    .poll(async () => (await engine.api.events({ type: ['attack.stopped'], limit: 20 })).events.some((e) => e.data.name === name))
    .toBe(true);
  await page.waitForTimeout(1500);
  await quarantine.getByRole('button', { name: `Release ${client}` }).click();
  await expect(quarantine).toBeHidden();
  expect((await engine.api.quarantines()).quarantines.map((q) => q.client)).not.toContain(client);
  for (const q of (await engine.api.quarantines()).quarantines) await engine.api.releaseQuarantine(q.id);
});

test('the chain switch turns the immune system off and on', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/immune&'));
  const toggle = page.getByRole('switch');
  await expect(toggle).toBeChecked();
  await toggle.click();
  await expect.poll(async () => (await engine.api.immune()).enabled).toBe(false);
  await toggle.click();
  await expect.poll(async () => (await engine.api.immune()).enabled).toBe(true);
});

test('axe finds no serious violations in Immune (dark)', async ({ page, engine }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(engine.url.replace('/#', '/#/immune&'));
  await expect(page.getByRole('heading', { name: 'Defence chain' })).toBeVisible();
  expect(await seriousAxeViolations(page)).toEqual([]);
});
