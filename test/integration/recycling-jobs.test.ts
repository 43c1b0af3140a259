// Recycling jobs on a live engine: schedules (node-cron on the wall clock, the engine clock under a
// ManualClock), overlap prevention, pause/resume/run-now, live knobs, the API and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { type ApiError } from '../../engine/api/client.ts';
import { ManualClock } from '../../engine/clock.ts';
import type { Engine } from '../../engine/engine.ts';
import { isNamedError } from '../../engine/errors.ts';
import { Recycling, type RecyclingAction } from '../../engine/recycling/index.ts';
import { encodeSignal } from '../../engine/signals/index.ts';
import { JobRunsRepo, type JobRunRow } from '../../engine/store/index.ts';
import { runCli } from '../helpers/cli.ts';
import { ECHO_ORGANISM, eventually, startEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';
import { tempDir } from '../helpers/tmp.ts';

const withJobs = (jobs: string) => `${ECHO_ORGANISM}recycling:\n${jobs}`;

function history(engine: Engine, job: string): JobRunRow[] {
  return new JobRunsRepo(engine.db).list(engine.organism.spec.name, job, { limit: 10_000 }).reverse();
}

/** No two runs of a job overlap in time. */
function assertNoOverlap(runs: JobRunRow[]): void {
  const ran = runs.filter((r) => r.outcome !== 'skipped').sort((a, b) => a.startedAt - b.startedAt);
  for (let i = 1; i < ran.length; i++)
    assert.ok(ran[i]!.startedAt >= ran[i - 1]!.endedAt!, `run ${ran[i]!.id} started before run ${ran[i - 1]!.id} ended`);
}

test('under a ManualClock the schedule follows engine time; paused jobs wait; knobs apply live, also from KV', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  await using t = await startEngine({
    clock,
    yaml: withJobs(`  - { name: retention, schedule: "*/5 * * * * *", action: prune-events, olderThan: 1m }
  - { name: nightly, schedule: "0 3 * * *", action: vacuum, paused: true }
`),
  });
  const e = t.engine;
  assert.equal(e.recycling.scheduler, 'clock');
  const idle = () => e.recycling.list().every((j) => !j.running);
  for (let s = 0; s < 32; s++) {
    await clock.advance(1000);
    assert.ok(await eventually(idle), 'each run ends before the next tick');
  }
  const runs = history(e, 'retention');
  assert.equal(runs.length, 6, 'every 5 s over 32 s from :00 → 6 runs');
  assert.deepEqual(
    runs.map((r) => r.startedAt - Date.UTC(2026, 0, 1)),
    [5000, 10000, 15000, 20000, 25000, 30000],
  );
  assert.ok(runs.every((r) => r.outcome === 'ok' && r.trigger === 'schedule'));
  assert.equal(history(e, 'nightly').length, 0, 'paused: never ran');
  assert.equal(e.recycling.view('nightly').nextRunAt, null);
  assert.equal(e.recycling.view('retention').nextRunAt, Date.UTC(2026, 0, 1, 0, 0, 35));

  const resumed = e.recycling.resume('nightly');
  assert.equal(resumed.nextRunAt, Date.UTC(2026, 0, 1, 3, 0, 0));

  await e.signals.set('recycling.retention.olderThan', '2m', 'api');
  await clock.advance(5000);
  assert.ok(await eventually(idle));
  assert.equal((history(e, 'retention').at(-1)!.details.knobs as { olderThanMs: number }).olderThanMs, 120_000);
  // Written by another tool straight into KV: the knob watch applies it too.
  await e.bus.signalsKv.put('recycling.retention.olderThan', encodeSignal({ v: '3m', by: 'external', at: 0 }));
  await new Promise((r) => setTimeout(r, 200));
  await clock.advance(5000);
  assert.ok(await eventually(idle));
  assert.equal((history(e, 'retention').at(-1)!.details.knobs as { olderThanMs: number }).olderThanMs, 180_000);
});

/** A vacuum that takes `ms` of wall time (or until aborted). */
function slowAction(ms: number): RecyclingAction {
  return {
    name: 'vacuum',
    summary: 'slow',
    knobs: {},
    run: (ctx) =>
      new Promise((resolve) => {
        const done = () => resolve({ rows: 1, bytes: 10, details: { aborted: ctx.signal.aborted } });
        const timer = setTimeout(done, ms);
        ctx.signal.addEventListener('abort', () => (clearTimeout(timer), done()), { once: true });
      }),
  };
}

test('a slow job is never started twice: scheduled and manual starts during a run are skipped and recorded', async () => {
  await using t = await startEngine({ yaml: ECHO_ORGANISM });
  const e = t.engine;
  const recycling = await Recycling.start(e, {
    jobs: [{ name: 'slow', schedule: '* * * * * *', action: 'vacuum' }],
    actions: { vacuum: slowAction(2300) },
    scheduler: 'node-cron',
  });
  try {
    await eventually(() => recycling.view('slow').running, 3000);
    const manual = await recycling.run('slow').catch((err: unknown) => err);
    assert.ok(isNamedError(manual, 'ConflictError'), String(manual));
    await new Promise((r) => setTimeout(r, 6500));
  } finally {
    await recycling.stop();
  }
  const runs = history(e, 'slow');
  const ran = runs.filter((r) => r.outcome !== 'skipped');
  const skipped = runs.filter((r) => r.outcome === 'skipped');
  assert.ok(ran.length >= 2 && ran.length <= 4, `ran ${ran.length}`);
  assert.ok(skipped.length >= 3, `skipped ${skipped.length}`);
  assertNoOverlap(runs);
  assert.ok(skipped.some((s) => s.trigger === 'manual'));
  for (const s of skipped)
    assert.ok(
      ran.some((r) => r.id === s.details.runningId && s.startedAt >= r.startedAt && s.startedAt <= r.endedAt!),
      'each skip happened while the run it names was going',
    );
  assert.equal(ran.at(-1)!.outcome, 'aborted', 'stopping aborts the run in progress and records it');
  const events = await eventually(() => {
    const found = e.eventsRepo.count({ types: ['recycling.job-skipped'] });
    return found === skipped.length ? found : 0;
  });
  assert.equal(events, skipped.length, 'one recycling.job-skipped event per skip');
});

test('a 5 s retention job on the wall clock records at least 4 runs in 32 s and keeps events within retention', async () => {
  await using t = await startEngine({
    yaml: withJobs('  - { name: event-retention, schedule: "*/5 * * * * *", action: prune-events, olderThan: 5s }\n'),
  });
  const e = t.engine;
  assert.equal(e.recycling.scheduler, 'node-cron');
  const started = Date.now();
  // The job prunes its own job-ran events after 5 s too: count them as they are persisted.
  const ranEvents: number[] = [];
  e.persister.onBatch((batch) => {
    for (const ev of batch.events) if (ev.type === 'recycling.job-ran') ranEvents.push(ev.data.id as number);
  });
  const feed = setInterval(() => {
    for (let i = 0; i < 20; i++) e.events.emit('fault.injected', { i });
  }, 250);
  try {
    await new Promise((r) => setTimeout(r, 32_000));
  } finally {
    clearInterval(feed);
  }
  const runs = history(e, 'event-retention').filter((r) => r.startedAt >= started);
  assert.ok(runs.length >= 4, `${runs.length} runs`);
  assert.ok(
    runs.every((r) => r.outcome === 'ok'),
    JSON.stringify(runs.map((r) => r.outcome)),
  );
  assertNoOverlap(runs);
  assert.ok(runs.reduce((s, r) => s + r.rows, 0) > 1000, 'it pruned the events fed to it');
  const ran = await eventually(() => runs.every((r) => ranEvents.includes(r.id)));
  assert.ok(ran, `each run is a recycling.job-ran event: ${ranEvents.join(',')}`);
  const oldest = e.db.prepare('SELECT MIN(time) FROM events').pluck().get() as number;
  assert.ok(Date.now() - oldest < 5000 + 5000 + 2000, `oldest event ${Date.now() - oldest} ms old: retention 5 s + period 5 s`);
});

test('the jobs API: list in words, run now, pause, resume, history; errors are problem+json; petri recycle runs a job', async () => {
  await using t = await startEngine({
    api: true,
    yaml: withJobs(`  - { name: retention, schedule: "*/30 * * * * *", action: prune-events, olderThan: 10m }
  - { name: logs, schedule: "0 3 * * 1-5", action: rotate-logs, maxSize: 1000000, keep: 3 }
`),
  });
  const api = t.api!;
  const { jobs } = await api.jobs();
  assert.deepEqual(
    jobs.map((j) => [j.name, j.scheduleText, j.paused, j.running]),
    [
      ['retention', 'every 30 seconds', false, false],
      ['logs', 'at 03:00, on Monday through Friday', false, false],
    ],
  );
  const now = Date.now();
  assert.ok(jobs[0]!.nextRunAt! > now && jobs[0]!.nextRunAt! <= now + 30_000);
  assert.deepEqual(jobs[0]!.knobs, [{ knob: 'olderThan', signal: 'recycling.retention.olderThan', value: '10m' }]);
  assert.equal(jobs[0]!.lastRun, null);

  const done = await api.runJob('retention', true);
  assert.deepEqual([done.outcome, done.trigger], ['ok', 'manual']);
  assert.ok(done.endedAt! >= done.startedAt);
  const started = await api.request<{ outcome: string; id: number }>('POST', '/api/jobs/retention/run', {});
  assert.equal(started.outcome, 'running');
  await eventually(async () => !(await api.jobs()).jobs[0]!.running);

  const paused = await api.pauseJob('logs');
  assert.deepEqual([paused.paused, paused.nextRunAt], [true, null]);
  assert.equal((await api.resumeJob('logs')).paused, false);

  // The */30 schedule may add runs of its own meanwhile: look at the manual ones.
  const page = await api.jobRuns('retention');
  assert.deepEqual(
    page.runs.filter((r) => r.trigger === 'manual').map((r) => r.id),
    [started.id, done.id],
    'newest first',
  );
  assert.equal(page.totals.runs, page.runs.length);
  assert.equal((await api.jobs()).jobs[0]!.lastRun!.id, page.runs[0]!.id);

  const missing = await api.runJob('nope').catch((err: unknown) => err as ApiError);
  assert.equal((missing as ApiError).status, 404);
  assert.match((missing as ApiError).problem!.detail!, /recycling job 'nope' not found/);
  const bad = await http(`${api.base}/api/jobs/retention/run`, {
    method: 'POST',
    body: '{"wait":"yes"}',
    headers: { authorization: `Bearer ${api.token}` },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.headers['content-type'], 'application/problem+json');
  const badLimit = await api.request('GET', '/api/jobs/retention/runs?limit=0').catch((err: unknown) => err as ApiError);
  assert.equal((badLimit as ApiError).status, 400);

  const cli = await runCli(['recycle', 'retention', '--api', `${api.base}/api`, '--token', api.token]);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal((JSON.parse(cli.stdout) as { outcome: string; trigger: string }).outcome, 'ok');
  const after = await api.jobRuns('retention');
  assert.equal(after.runs.filter((r) => r.trigger === 'manual').length, 3);
});

test('petri export cronjobs writes one CronJob per job, to stdout or a directory', async () => {
  using dir = tempDir();
  const file = join(dir.path, 'shop.yaml');
  writeFileSync(
    file,
    withJobs(`  - { name: retention, schedule: "*/30 * * * * *", action: prune-events, olderThan: 10m }
  - { name: vacuum, schedule: "0 3 * * *", action: vacuum, paused: true }
`),
  );
  const out = await runCli(['export', 'cronjobs', '--organism', file, '--out', '-', '--image', 'petri:test']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stderr, /retention: Kubernetes runs a CronJob at most once a minute/);
  const docs = parseAllDocuments(out.stdout).map(
    (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> },
  );
  assert.deepEqual(
    docs.map((d) => [d.kind, d.metadata.name, d.spec.schedule, d.spec.suspend, d.spec.concurrencyPolicy]),
    [
      ['CronJob', 'echo-retention', '* * * * *', false, 'Forbid'],
      ['CronJob', 'echo-vacuum', '0 3 * * *', true, 'Forbid'],
    ],
  );
  const target = join(dir.path, 'k8s');
  const written = await runCli(['export', 'cronjobs', '--organism', file, '--out', target]);
  assert.equal(written.code, 0, written.stderr);
  assert.deepEqual(readdirSync(target).sort(), ['echo-retention.cronjob.yaml', 'echo-vacuum.cronjob.yaml']);
  assert.match(readFileSync(join(target, 'echo-vacuum.cronjob.yaml'), 'utf8'), /^# echo: recycling job/);
  const badTarget = await runCli(['export', 'nothing']);
  assert.equal(badTarget.code, 2);
});
