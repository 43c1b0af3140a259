/**
 * The scenario part of the control API: the fixture list, the play body, what plays now and the
 * last report (re-exported by schema.ts, so the renderer imports them from there). Node-free.
 */
import { Type, type Static } from '@sinclair/typebox';

/** A scenario file as `GET /api/scenarios` lists it. */
export const ScenarioListItem = Type.Object({
  /** `metadata.name`, or the file's base name when it does not parse. */
  name: Type.String(),
  /** Path relative to `fixtures/scenarios` (what `POST /api/scenarios/play` takes as `file`). */
  file: Type.String(),
  /** `metadata.description`, else the first paragraph of the file's leading comment. */
  description: Type.Optional(Type.String()),
  durationMs: Type.Union([Type.Number(), Type.Null()]),
  /** Name of the organism it plays against. */
  organism: Type.Union([Type.String(), Type.Null()]),
  /** Whether that organism is the one this engine runs (same name and normalised spec). */
  fits: Type.Boolean(),
  /** Why it cannot be played, when it does not validate. */
  error: Type.Optional(Type.String()),
});
export type ScenarioListItem = Static<typeof ScenarioListItem>;

/** `GET /api/scenarios`. */
export const ScenariosPage = Type.Object({
  /** The organism this engine runs. */
  organism: Type.String(),
  scenarios: Type.Array(ScenarioListItem),
});
export type ScenariosPage = Static<typeof ScenariosPage>;

/**
 * `POST /api/scenarios/play`: exactly one of `file` (under fixtures/scenarios, or absolute) and
 * `text` (YAML). `filename` names pasted text in error locations; a relative `organism:` in the
 * text resolves as if the file sat in fixtures/scenarios.
 */
export const PlayScenarioBody = Type.Object(
  {
    file: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000_000 })),
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  },
  { additionalProperties: false },
);
export type PlayScenarioBody = Static<typeof PlayScenarioBody>;

const Comparator = Type.Union([Type.Literal('below'), Type.Literal('above'), Type.Literal('atLeast'), Type.Literal('atMost')]);

/** The verdict on one expectation (as the player reports it). */
export const VerdictView = Type.Object({
  name: Type.String(),
  passed: Type.Boolean(),
  observed: Type.Union([Type.Number(), Type.Null()]),
  expected: Type.Union([Type.Object({ comparator: Comparator, value: Type.Number() }), Type.Object({ within: Type.Number() })]),
  unit: Type.String(),
  detail: Type.String(),
});
export type VerdictView = Static<typeof VerdictView>;

/** What happened to one step. */
export const StepView = Type.Object({
  index: Type.Integer(),
  label: Type.String(),
  atMs: Type.Number(),
  executedMs: Type.Number(),
  lateMs: Type.Number(),
  ok: Type.Boolean(),
  error: Type.Optional(Type.String()),
});
export type StepView = Static<typeof StepView>;

/** An expectation while the scenario plays: pending until its window closes, then judged. */
export const ExpectationState = Type.Object({
  name: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('passed'), Type.Literal('failed')]),
  /** The verdict once judged (the final judgement replaces an early one). */
  verdict: Type.Optional(VerdictView),
});
export type ExpectationState = Static<typeof ExpectationState>;

/** A finished run's report (what `petri run --json` writes). */
export const ScenarioReportView = Type.Object({
  passed: Type.Boolean(),
  aborted: Type.Boolean(),
  scenario: Type.Object({
    name: Type.String(),
    file: Type.String(),
    seed: Type.Number(),
    durationMs: Type.Number(),
    description: Type.Optional(Type.String()),
  }),
  runId: Type.Integer(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  expectations: Type.Array(VerdictView),
  steps: Type.Array(StepView),
});
export type ScenarioReportView = Static<typeof ScenarioReportView>;

/** The scenario playing now. Times are engine ms. */
export const ScenarioPlaying = Type.Object({
  name: Type.String(),
  file: Type.String(),
  description: Type.Optional(Type.String()),
  runId: Type.Integer(),
  /** Engine time it started at. */
  startedAt: Type.Number(),
  elapsedMs: Type.Number(),
  durationMs: Type.Number(),
  /** Engine ms per wall ms (`--speed`), so a page can advance the bar between answers. */
  speed: Type.Number(),
  /** `playing`, or `finishing` once aborted or past its duration while the last data settles. */
  phase: Type.Union([Type.Literal('playing'), Type.Literal('finishing')]),
  stepsTotal: Type.Integer(),
  steps: Type.Array(StepView),
  expectations: Type.Array(ExpectationState),
});
export type ScenarioPlaying = Static<typeof ScenarioPlaying>;

/** `GET /api/scenarios/current`. */
export const ScenarioCurrent = Type.Object({
  current: Type.Union([ScenarioPlaying, Type.Null()]),
  /** The report of the last scenario played in this engine. */
  last: Type.Union([ScenarioReportView, Type.Null()]),
});
export type ScenarioCurrent = Static<typeof ScenarioCurrent>;
