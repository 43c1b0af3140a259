// The Scenario and Runs views: play a short scenario from a loaded file, watch its expectations
// turn green and red, refuse invalid YAML, and scrub the recorded run afterwards.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, seriousAxeViolations, test } from './fixtures.ts';

const SHORT = join(import.meta.dirname, '..', 'fixtures', 'scenarios', 'short-demo.yaml');

test('plays a loaded scenario: progress, one expectation green, one red with its observed value', async ({
  page,
  engine,
}, info) => {
  test.setTimeout(60_000);
  const runsBefore = (await engine.api.runs()).runs.length;
  await page.goto(engine.url.replace('/#', '/#/scenarios&'));
  // The fixtures for the demo organism can be played; the list knows which organism it runs.
  const select = page.getByRole('combobox', { name: 'Scenario', exact: true });
  await expect(select.locator('option', { hasText: 'flood-contained' })).toBeEnabled();
  await expect(select.locator('option', { hasText: 'recycling-keeps-up' })).toBeDisabled();
  await expect(page.getByText('No scenario played yet')).toBeVisible();

  await page.getByRole('radio', { name: 'Paste or load YAML' }).check();
  await page.getByLabel('…or load a file').setInputFiles(SHORT);
  await expect(page.getByLabel('Scenario YAML')).toHaveValue(/name: short-demo/);
  const started = Date.now();
  await page.getByRole('button', { name: '▶ Play' }).click();

  const progress = page.getByRole('region', { name: 'Progress' });
  await expect(progress.getByRole('heading', { name: 'short-demo' })).toBeVisible();
  await expect(progress.getByRole('status')).toHaveText('playing');
  await expect(page.getByRole('button', { name: 'Play' })).toBeDisabled();
  const bar = progress.getByRole('progressbar', { name: 'Elapsed' });
  await expect(bar).toHaveAttribute('aria-valuemax', '7');
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 5000 }).toBeGreaterThanOrEqual(2);

  const expectations = page.getByRole('list', { name: 'Expectations' });
  const served = expectations.getByRole('listitem').filter({ hasText: 'shoppers served' });
  const impossible = expectations.getByRole('listitem').filter({ hasText: 'impossible rps' });
  // Both windows close at 4 s; the verdicts arrive over the stream while it still plays.
  await expect(served).toHaveAttribute('data-status', 'passed', { timeout: 10_000 });
  await expect(impossible).toHaveAttribute('data-status', 'failed');
  const judgedAt = Date.now() - started;
  await expect(served).toContainText(/observed 0(\.\d+)?\b/);
  await expect(served).toContainText('expected below 0.05');
  await expect(impossible).toContainText(/observed (1\d|2\d)(\.\d)? \/s/);
  await expect(impossible).toContainText('expected above 10000 /s');
  expect(await impossible.evaluate((el) => getComputedStyle(el).borderLeftColor)).not.toBe(
    await served.evaluate((el) => getComputedStyle(el).borderLeftColor),
  );

  // The run's own events, live.
  const events = page.getByRole('listbox', { name: 'Run events, newest first' });
  await expect(events.getByRole('option').filter({ hasText: 'scenario.started' })).toBeVisible();
  await expect(events.getByRole('option').filter({ hasText: 'fault.injected' })).toBeVisible();

  await expect(progress.getByRole('status')).toHaveText('failed', { timeout: 15_000 });
  const doneAt = Date.now() - started;
  await expect(page.getByRole('button', { name: 'Abort' })).toHaveCount(0);
  await expect(events.getByRole('option').filter({ hasText: 'scenario.finished' })).toBeVisible();
  const runs = (await engine.api.runs()).runs;
  expect(runs.length).toBe(runsBefore + 2); // the scenario's run and the session after it
  const run = runs.find((r) => r.name === 'short-demo')!;
  expect(run.status).toBe('failed');
  await expect(progress).toContainText(`run #${run.id}`);
  console.log(`short-demo (7 s): verdicts on screen ${judgedAt} ms after Play, finished ${doneAt} ms after Play`);

  expect(await seriousAxeViolations(page)).toEqual([]);
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const shot = info.outputPath(`scenario-${scheme}.png`);
    await page.screenshot({ path: shot });
    if (scheme === 'dark' && process.env.PETRI_UPDATE_SCREENSHOTS) {
      const target = join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'scenario.png');
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(shot, target);
    }
  }
});

test.describe('invalid YAML', () => {
  // The browser logs the 422 answer as a failed resource load.
  test.use({ allowedConsoleErrors: /status of 422/ });

  test('is refused with its location and starts nothing', async ({ page, engine }) => {
    const runsBefore = (await engine.api.runs()).runs.length;
    await page.goto(engine.url.replace('/#', '/#/scenarios&'));
    await page.getByRole('radio', { name: 'Paste or load YAML' }).check();
    await page
      .getByLabel('Scenario YAML')
      .fill(
        'apiVersion: petri/v1\nkind: Scenario\nmetadata: { name: broken }\norganism: ../organisms/demo.yaml\nduration: soon\n',
      );
    await page.getByRole('button', { name: '▶ Play' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Unprocessable Content' });
    await expect(alert).toBeVisible();
    await expect(alert.getByRole('listitem').first()).toContainText(/^pasted\.yaml:5:\d+: duration: /);
    expect((await engine.api.runs()).runs.length).toBe(runsBefore);
    expect((await engine.api.currentScenario()).current).toBeNull();
  });
});

test('a past run opens in the Runs view and scrubs back to its start', async ({ page, engine }, info) => {
  const run = (await engine.api.runs()).runs.find((r) => r.name === 'short-demo');
  test.skip(!run, 'needs the run of the first test');
  await page.goto(engine.url.replace('/#', `/#/runs/${run!.id}&`));
  const opened = page.getByRole('region', { name: 'Opened run' });
  await expect(opened.getByRole('heading', { name: /short-demo/ })).toBeVisible();
  const status = opened.getByRole('status');
  const total = (await engine.api.events({ run: run!.id, limit: 10_000 })).events.length;
  await expect(status).toContainText(`${total} of ${total} events`);
  await expect(opened.getByRole('table')).toContainText('GET /products');
  const slider = opened.getByRole('slider');
  await slider.focus();
  await page.keyboard.press('Home');
  await expect(status).toContainText(/^\s*[0-3] of /);
  // A few seconds in: some events, not all, and the routes' figures of that second.
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowRight');
  const shown = Number((await status.textContent())!.trim().split(' ')[0]);
  expect(shown).toBeGreaterThan(0);
  expect(shown).toBeLessThan(total);
  await page.screenshot({ path: info.outputPath('runs.png') });
  expect(await seriousAxeViolations(page)).toEqual([]);
});
