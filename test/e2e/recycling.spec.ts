// The Recycling view: Run now adds a manual run row (checked through the API); and the Scaling
// view shows the demo's scaled cell.
import { expect, seriousAxeViolations, test } from './fixtures.ts';

const JOB = 'event-retention';

test('Run now adds a manual run to the job’s list', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/recycling&'));
  const card = page.locator(`[data-job="${JOB}"]`);
  await expect(card).toContainText('every 30 seconds');
  const before = (await engine.api.jobRuns(JOB)).runs;
  const lastId = Math.max(0, ...before.map((r) => r.id));
  await card.getByRole('button', { name: 'Run now' }).click();
  await expect
    .poll(async () => (await engine.api.jobRuns(JOB)).runs.some((r) => r.id > lastId && r.trigger === 'manual'))
    .toBe(true);
  const run = (await engine.api.jobRuns(JOB)).runs.find((r) => r.id > lastId && r.trigger === 'manual')!;
  const row = card.locator(`[data-run="${run.id}"]`);
  await expect(row).toContainText('manual');
  await expect
    .poll(async () => (await engine.api.jobRuns(JOB, { run: undefined })).runs.find((r) => r.id === run.id)?.outcome)
    .not.toBe('running');
  const done = (await engine.api.jobRuns(JOB)).runs.find((r) => r.id === run.id)!;
  await expect(row).toContainText(done.outcome);
  expect(await seriousAxeViolations(page)).toEqual([]);
});

test('Pause and Resume change the job’s state in the API', async ({ page, engine }) => {
  await page.goto(engine.url.replace('/#', '/#/recycling&'));
  const card = page.locator(`[data-job="${JOB}"]`);
  await card.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(async () => (await engine.api.jobs()).jobs.find((j) => j.name === JOB)?.paused).toBe(true);
  await expect(card).toContainText('paused');
  await card.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(async () => (await engine.api.jobs()).jobs.find((j) => j.name === JOB)?.paused).toBe(false);
});

test('the Scaling view shows each scaled cell’s policy', async ({ page, engine }) => {
  const { cells } = await engine.api.scaling();
  await page.goto(engine.url.replace('/#', '/#/scaling&'));
  for (const c of cells) await expect(page.locator(`[data-scaling="${c.cell}"]`)).toContainText(c.policy.policy);
  expect(await seriousAxeViolations(page)).toEqual([]);
});
