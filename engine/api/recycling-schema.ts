/**
 * The recycling part of the control API: jobs, their runs and the run-now body (re-exported by
 * schema.ts, so the renderer imports them from there). Node-free.
 */
import { Type, type Static } from '@sinclair/typebox';

/** How a recycling run ended; `running` while it runs, `skipped` when a start was refused. */
export const JobOutcome = Type.Union([
  Type.Literal('running'),
  Type.Literal('ok'),
  Type.Literal('noop'),
  Type.Literal('failed'),
  Type.Literal('aborted'),
  Type.Literal('skipped'),
]);
export type JobOutcome = Static<typeof JobOutcome>;

/** One run of a recycling job (or one refused start). Times are engine ms. */
export const JobRunView = Type.Object({
  id: Type.Integer(),
  job: Type.String(),
  action: Type.String(),
  trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
  /** The engine run (session or scenario) it happened in. */
  runId: Type.Union([Type.Integer(), Type.Null()]),
  startedAt: Type.Number(),
  endedAt: Type.Union([Type.Number(), Type.Null()]),
  durationMs: Type.Union([Type.Number(), Type.Null()]),
  outcome: JobOutcome,
  /** Rows, messages, keys, files or replicas freed. */
  rows: Type.Integer(),
  /** Bytes freed. */
  bytes: Type.Integer(),
  error: Type.Union([Type.String(), Type.Null()]),
  /** Why a run was a no-op or skipped. */
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});
export type JobRunView = Static<typeof JobRunView>;

/** Totals over a job's recorded history. */
export const JobTotalsView = Type.Object({
  runs: Type.Integer(),
  failed: Type.Integer(),
  skipped: Type.Integer(),
  rows: Type.Integer(),
  bytes: Type.Integer(),
});
export type JobTotalsView = Static<typeof JobTotalsView>;

/** A recycling job as `GET /api/jobs` lists it. */
export const JobView = Type.Object({
  name: Type.String(),
  action: Type.String(),
  /** What the action frees, in one line. */
  summary: Type.String(),
  schedule: Type.String(),
  /** The schedule in words: "every 30 seconds". */
  scheduleText: Type.String(),
  /** Which scheduler times it: node-cron on the wall clock, or the engine clock (tests, --speed). */
  scheduler: Type.Union([Type.Literal('node-cron'), Type.Literal('clock')]),
  paused: Type.Boolean(),
  running: Type.Boolean(),
  runningSince: Type.Union([Type.Number(), Type.Null()]),
  /** Next scheduled start (engine ms); null while paused. */
  nextRunAt: Type.Union([Type.Number(), Type.Null()]),
  lastRun: Type.Union([JobRunView, Type.Null()]),
  /** Retention knobs and the signals that set them live. */
  knobs: Type.Array(
    Type.Object({
      knob: Type.String(),
      signal: Type.String(),
      value: Type.Union([Type.Number(), Type.String(), Type.Null()]),
    }),
  ),
  totals: JobTotalsView,
});
export type JobView = Static<typeof JobView>;

/** `GET /api/jobs`. */
export const JobsPage = Type.Object({ jobs: Type.Array(JobView) });
export type JobsPage = Static<typeof JobsPage>;

/** `GET /api/jobs/:name/runs`: newest first, with totals. */
export const JobRunsPage = Type.Object({ job: Type.String(), runs: Type.Array(JobRunView), totals: JobTotalsView });
export type JobRunsPage = Static<typeof JobRunsPage>;

/** `POST /api/jobs/:name/run`: `wait: true` answers when the run ends (200), else at once (202). */
export const RunJobBody = Type.Object({ wait: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type RunJobBody = Static<typeof RunJobBody>;
