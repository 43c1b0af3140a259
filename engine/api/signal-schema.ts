/**
 * The signals part of the control API: request bodies and answers (re-exported by schema.ts, so
 * the renderer imports them from there). Node-free.
 */
import { Type, type Static } from '@sinclair/typebox';
import { SignalType } from '../organism/schema.ts';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** A signal value as JSON (null: not set). */
export const SignalValueSchema = Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]);

/** Who changed a signal. */
export const SignalAuthorSchema = Type.Union([
  Type.Literal('organism'),
  Type.Literal('ui'),
  Type.Literal('api'),
  Type.Literal('scenario'),
  Type.Literal('import'),
  Type.Literal('rollback'),
  Type.Literal('engine'),
  Type.Literal('external'),
]);
export type SignalAuthorName = Static<typeof SignalAuthorSchema>;

/** Authors a client may name when it changes a signal (header `x-petri-author` or body `author`). */
export const ClientAuthor = Type.Union([Type.Literal('ui'), Type.Literal('api'), Type.Literal('scenario')]);

/** A targeting rule: clients whose `attribute` is one of `in` get `value`. */
export const TargetingRuleSchema = Type.Object(
  {
    attribute: Type.String({ minLength: 1 }),
    in: Type.Array(Type.Union([Type.String(), Type.Number()]), { minItems: 1 }),
    value: Type.Union([Type.Number(), Type.String(), Type.Boolean()]),
  },
  closed,
);

/** Propagation of one change to its subscribers. */
export const SignalPropagation = Type.Object({
  key: Type.String(),
  revision: Type.Integer(),
  author: Type.String(),
  changedAt: Type.Number(),
  /** Subscribers expected to apply it; `applied` did. */
  subscribers: Type.Integer(),
  applied: Type.Integer(),
  complete: Type.Boolean(),
  p50Ms: Nullable(Type.Number()),
  p99Ms: Nullable(Type.Number()),
  maxMs: Nullable(Type.Number()),
  slowest: Nullable(Type.String()),
  missing: Type.Array(Type.String()),
  /** Each subscriber's delay (wall ms), fastest first. */
  delays: Type.Array(Type.Object({ subscriber: Type.String(), ms: Type.Number() })),
  doneAt: Type.Number(),
});
export type SignalPropagation = Static<typeof SignalPropagation>;

/** A signal as the API lists it: spec, live value (masked when secret), revision, author. */
export const SignalView = Type.Object({
  key: Type.String(),
  type: SignalType,
  value: SignalValueSchema,
  /** The declared value (what a restart or ttl returns to). */
  default: SignalValueSchema,
  revision: Type.Integer(),
  author: SignalAuthorSchema,
  at: Type.Number(),
  note: Type.Optional(Type.String()),
  secret: Type.Boolean(),
  description: Type.Optional(Type.String()),
  min: Type.Optional(Type.Number()),
  max: Type.Optional(Type.Number()),
  values: Type.Optional(Type.Array(Type.String())),
  /** Flags: the live share of clients that get true (absent: no rollout). */
  rollout: Type.Optional(Type.Number()),
  targeting: Type.Optional(Type.Array(TargetingRuleSchema)),
  ttlMs: Type.Optional(Type.Number()),
  /** When a changed value with a ttl returns to the declared one. */
  expiresAt: Type.Optional(Type.Number()),
  /** Ids of the watchers of this key (`cell:catalog`, `policy:immune`, a user's service). */
  subscribers: Type.Array(Type.String()),
  /** Propagation of this key's last change, once finished. */
  propagation: Type.Optional(SignalPropagation),
});
export type SignalView = Static<typeof SignalView>;

/** `GET /api/signals`. */
export const SignalsPage = Type.Object({ signals: Type.Array(SignalView) });
export type SignalsPage = Static<typeof SignalsPage>;

/** One revision in a signal's history (a change, or a write that was refused). */
export const SignalHistoryEntry = Type.Object({
  revision: Type.Integer(),
  /** Masked for secrets; absent when the value was not readable. */
  value: Type.Optional(SignalValueSchema),
  /** The value of the accepted revision before it on this page, for a diff. */
  previous: Type.Optional(SignalValueSchema),
  author: SignalAuthorSchema,
  at: Type.Number(),
  note: Type.Optional(Type.String()),
  rollout: Type.Optional(Type.Number()),
  targeting: Type.Optional(Type.Array(TargetingRuleSchema)),
  /** Why it was refused (the last good value stayed). */
  refused: Type.Optional(Type.String()),
  runId: Nullable(Type.Integer()),
  current: Type.Boolean(),
  /** Whether `POST …/rollback` to this revision can work. */
  canRollback: Type.Boolean(),
  propagation: Type.Optional(
    Type.Object({
      subscribers: Type.Integer(),
      applied: Type.Integer(),
      p50Ms: Nullable(Type.Number()),
      maxMs: Nullable(Type.Number()),
    }),
  ),
});
export type SignalHistoryEntry = Static<typeof SignalHistoryEntry>;

/** `GET /api/signals/:key/history?limit=&before=`: newest first; `next` pages further back. */
export const SignalHistoryPage = Type.Object({
  key: Type.String(),
  entries: Type.Array(SignalHistoryEntry),
  next: Type.Optional(Type.Integer()),
});
export type SignalHistoryPage = Static<typeof SignalHistoryPage>;

/** `PUT /api/signals/:key`: any of value, rollout (flags; 0 ends it), targeting ([] clears). */
export const SetSignalBody = Type.Object(
  {
    value: Type.Optional(SignalValueSchema),
    rollout: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    targeting: Type.Optional(Type.Array(TargetingRuleSchema, { maxItems: 100 })),
    author: Type.Optional(ClientAuthor),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  closed,
);
export type SetSignalBody = Static<typeof SetSignalBody>;

/** `POST /api/signals/:key/rollback`. */
export const RollbackSignalBody = Type.Object(
  { revision: Type.Integer({ minimum: 1 }), note: Type.Optional(Type.String({ maxLength: 500 })) },
  closed,
);
export type RollbackSignalBody = Static<typeof RollbackSignalBody>;

/** `POST /api/signals/batch`: validated as a whole; one bad change and nothing is written. */
export const SignalBatchBody = Type.Object(
  {
    changes: Type.Array(
      Type.Object(
        {
          key: Type.String({ minLength: 1 }),
          value: Type.Optional(SignalValueSchema),
          rollout: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
          targeting: Type.Optional(Type.Array(TargetingRuleSchema, { maxItems: 100 })),
        },
        closed,
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
    author: Type.Optional(Type.Union([ClientAuthor, Type.Literal('import')])),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  closed,
);
export type SignalBatchBody = Static<typeof SignalBatchBody>;

/** Import and export formats. */
export const SignalFileFormat = Type.Union([Type.Literal('env'), Type.Literal('flagd')]);

/** `POST /api/signals/import`: a file's text; the format is guessed from `file` when left out. */
export const SignalImportBody = Type.Object(
  {
    text: Type.String({ maxLength: 4_000_000 }),
    format: Type.Optional(SignalFileFormat),
    file: Type.Optional(Type.String({ maxLength: 500 })),
    /** Check only: answer what would change, write nothing. */
    dryRun: Type.Optional(Type.Boolean()),
  },
  closed,
);
export type SignalImportBody = Static<typeof SignalImportBody>;

/** Answer of an import. */
export const SignalImportResult = Type.Object({
  format: SignalFileFormat,
  applied: Type.Integer(),
  changes: Type.Array(Type.Object({ key: Type.String(), revision: Type.Integer() })),
  skipped: Type.Array(Type.Object({ key: Type.String(), reason: Type.String() })),
});
export type SignalImportResult = Static<typeof SignalImportResult>;

/** `GET /api/signals/export?format=env|flagd`. Secrets are never in `text`. */
export const SignalExport = Type.Object({
  format: SignalFileFormat,
  text: Type.String(),
  skipped: Type.Array(Type.Object({ key: Type.String(), reason: Type.String() })),
});
export type SignalExport = Static<typeof SignalExport>;

/** `GET /api/signals/propagation[?key=]`: the last change's propagation and the recent ones. */
export const SignalsPropagationPage = Type.Object({
  last: Nullable(SignalPropagation),
  recent: Type.Array(SignalPropagation),
});
export type SignalsPropagationPage = Static<typeof SignalsPropagationPage>;

/** `POST /api/signals/:key/evaluate`: what one client would get (flags: targeting and rollout). */
export const EvaluateSignalBody = Type.Object(
  { context: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])) },
  closed,
);
export type EvaluateSignalBody = Static<typeof EvaluateSignalBody>;

/** Answer of an evaluation. */
export const SignalEvaluation = Type.Object({
  key: Type.String(),
  value: SignalValueSchema,
  reason: Type.Union([Type.Literal('STATIC'), Type.Literal('DEFAULT'), Type.Literal('TARGETING_MATCH'), Type.Literal('SPLIT')]),
  variant: Type.String(),
  revision: Type.Integer(),
});
export type SignalEvaluation = Static<typeof SignalEvaluation>;
