/**
 * Routes of the signals API: list, change, history, rollback, propagation, evaluation, import and
 * export. Bodies are validated by the router before a handler runs; every change goes through the
 * store, which validates values against their types, so nothing changes on bad input. Secret
 * values are masked in every answer.
 */
import type { IncomingMessage } from 'node:http';
import type { Engine } from '../engine.ts';
import { ValidationError, type Issue } from '../errors.ts';
import {
  detectFormat,
  maskValue,
  planEnvImport,
  planFlagdImport,
  toEnv,
  toFlagd,
  type HistoryRow,
  type InteropSignal,
  type SignalAuthor,
  type SignalState,
} from '../signals/index.ts';
import type { Route } from './http.ts';
import {
  EvaluateSignalBody,
  RollbackSignalBody,
  SetSignalBody,
  SignalBatchBody,
  SignalImportBody,
  type SignalEvaluation,
  type SignalExport,
  type SignalHistoryEntry,
  type SignalHistoryPage,
  type SignalImportResult,
  type SignalsPage,
  type SignalsPropagationPage,
  type SignalView,
} from './signal-schema.ts';

/** The API view of a signal (secret values masked). */
export function signalView(engine: Engine, s: SignalState): SignalView {
  const { spec, wire } = s;
  const last = engine.signals.lastPropagation(spec.key);
  const expires = spec.ttlMs && s.author !== 'organism' && s.author !== 'engine' ? s.at + spec.ttlMs : undefined;
  return {
    key: spec.key,
    type: spec.type,
    value: maskValue(spec, s.value),
    default: maskValue(spec, spec.value),
    revision: s.revision,
    author: s.author,
    at: s.at,
    ...(s.note ? { note: s.note } : {}),
    secret: spec.secret,
    ...(spec.description ? { description: spec.description } : {}),
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.values ? { values: spec.values } : {}),
    ...(wire.rollout !== undefined ? { rollout: wire.rollout } : {}),
    ...(wire.targeting
      ? { targeting: spec.secret ? wire.targeting.map((r) => ({ ...r, value: '••••••' })) : wire.targeting }
      : {}),
    ...(spec.ttlMs ? { ttlMs: spec.ttlMs } : {}),
    ...(expires ? { expiresAt: expires } : {}),
    subscribers: engine.signals.tracker.subscribersOf(spec.key),
    ...(last ? { propagation: last } : {}),
  };
}

function interopOf(s: SignalState): InteropSignal {
  return {
    key: s.spec.key,
    type: s.spec.type,
    value: s.value,
    secret: s.spec.secret,
    ...(s.spec.min !== undefined ? { min: s.spec.min } : {}),
    ...(s.spec.max !== undefined ? { max: s.spec.max } : {}),
    ...(s.spec.values ? { values: s.spec.values } : {}),
    ...(s.wire.rollout !== undefined ? { rollout: s.wire.rollout } : {}),
    ...(s.wire.targeting ? { targeting: s.wire.targeting } : {}),
    ...(s.spec.description ? { description: s.spec.description } : {}),
  };
}

/** Who made a change: the body's `author`, else the `x-petri-author` header, else `api`. */
function authorOf(req: IncomingMessage, fromBody: string | undefined, allowed: readonly SignalAuthor[]): SignalAuthor {
  const header = req.headers['x-petri-author'];
  const given = fromBody ?? (Array.isArray(header) ? header[0] : header) ?? 'api';
  if (!(allowed as readonly string[]).includes(given))
    throw new ValidationError([
      { path: 'author', message: `must be one of ${allowed.join(', ')}, got ${JSON.stringify(given)}` },
    ]);
  return given as SignalAuthor;
}

function intQuery(q: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError([{ path: name, message: `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}` }]);
  return n;
}

async function historyPage(engine: Engine, key: string, query: URLSearchParams): Promise<SignalHistoryPage> {
  const spec = engine.signals.spec(key);
  const limit = intQuery(query, 'limit', 1, 1000) ?? 100;
  const rows = await engine.signals.history(key, {
    limit: limit + 1,
    before: intQuery(query, 'before', 1, Number.MAX_SAFE_INTEGER),
  });
  const page = rows.slice(0, limit);
  const current = engine.signals.state(key).revision;
  // Secret values are not in SQLite: a rollback to one needs the revision still in KV history.
  const inKv = spec.secret ? await engine.signals.kvRevisions(key) : undefined;
  const entries = page.map((r: HistoryRow, i): SignalHistoryEntry => {
    const older = page.slice(i + 1).find((o) => !o.refused);
    const shown = (v: HistoryRow['value'], secret: boolean) => (secret ? '••••••' : v);
    return {
      revision: r.revision,
      ...(r.value !== undefined || r.secret ? { value: shown(r.value ?? null, r.secret) } : {}),
      ...(older && !r.refused && (older.value !== undefined || older.secret)
        ? { previous: shown(older.value ?? null, older.secret) }
        : {}),
      author: r.author,
      at: r.at,
      ...(r.note ? { note: r.note } : {}),
      ...(r.wire?.rollout !== undefined ? { rollout: r.wire.rollout } : {}),
      ...(r.wire?.targeting ? { targeting: r.wire.targeting } : {}),
      ...(r.refused ? { refused: r.refused } : {}),
      runId: r.runId,
      current: r.revision === current,
      canRollback: !r.refused && (r.secret ? (inKv?.has(r.revision) ?? false) : r.value !== undefined),
      ...(r.propagation ? { propagation: r.propagation } : {}),
    };
  });
  return { key, entries, ...(rows.length > limit ? { next: page.at(-1)!.revision } : {}) };
}

function issuesWithLines(issues: Issue[]): Issue[] {
  return issues.map((i) =>
    i.line ? { path: `${i.file ?? ''}:${i.line}${i.path ? `: ${i.path}` : ''}`, message: i.message } : i,
  );
}

async function importSignals(engine: Engine, body: SignalImportBody): Promise<SignalImportResult> {
  const file = body.file ?? (body.format === 'flagd' ? 'flags.json' : '.env');
  const format = body.format ?? detectFormat(file, body.text);
  const declared = engine.signals.list().map(interopOf);
  const plan = format === 'env' ? planEnvImport(body.text, declared, file) : planFlagdImport(body.text, declared, file);
  // Every problem at once: what the file says wrong, and values the types refuse.
  const refused = engine.signals.check(plan.changes).map((i) => {
    const line = plan.changes.find((c) => c.key === i.path)?.line;
    return { ...i, file, ...(line ? { line } : { path: `${file}: ${i.path}` }) };
  });
  const issues = [...plan.issues, ...refused].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (issues.length) throw new ValidationError(issuesWithLines(issues));
  const skipped = [...plan.skipped];
  const byKey = new Map(declared.map((d) => [d.key, d]));
  // Unchanged entries are not written again: importing the same file twice changes nothing.
  const changes = plan.changes.filter((c) => {
    const cur = byKey.get(c.key)!;
    const same =
      (!('value' in c) || JSON.stringify(c.value) === JSON.stringify(cur.value)) &&
      (c.rollout === undefined || c.rollout === (cur.rollout ?? 0)) &&
      (c.targeting === undefined || JSON.stringify(c.targeting) === JSON.stringify(cur.targeting ?? []));
    if (same) skipped.push({ key: c.key, reason: 'unchanged' });
    return !same;
  });
  if (body.dryRun || changes.length === 0)
    return { format, applied: 0, changes: changes.map((c) => ({ key: c.key, revision: 0 })), skipped };
  const states = await engine.signals.changeMany(
    changes.map(({ line: _line, ...c }) => c),
    'import',
    `import ${file}`,
  );
  return { format, applied: states.length, changes: states.map((s) => ({ key: s.spec.key, revision: s.revision })), skipped };
}

/** Routes under `/api/signals` that are not one signal (registered before `/:key`). */
function collectionRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/signals',
      handler: () => ({ json: { signals: engine.signals.list().map((s) => signalView(engine, s)) } satisfies SignalsPage }),
    },
    {
      method: 'GET',
      path: '/api/signals/propagation',
      handler: ({ query }) => {
        const key = query.get('key') ?? undefined;
        if (key) engine.signals.spec(key);
        const recent = engine.signals.tracker.recent().filter((p) => !key || p.key === key);
        return { json: { last: recent[0] ?? null, recent } satisfies SignalsPropagationPage };
      },
    },
    {
      method: 'GET',
      path: '/api/signals/export',
      handler: ({ query }) => {
        const format = query.get('format') ?? 'env';
        if (format !== 'env' && format !== 'flagd')
          throw new ValidationError([{ path: 'format', message: 'must be env or flagd' }]);
        const signals = engine.signals.list().map(interopOf);
        const out =
          format === 'env' ? toEnv(signals, `Petri signals of organism '${engine.organism.spec.name}'`) : toFlagd(signals);
        return { json: { format, ...out } satisfies SignalExport };
      },
    },
    {
      method: 'POST',
      path: '/api/signals/import',
      body: SignalImportBody,
      handler: async ({ body }) => ({ json: await importSignals(engine, body as SignalImportBody) }),
    },
    {
      method: 'POST',
      path: '/api/signals/batch',
      body: SignalBatchBody,
      handler: async ({ body, req }) => {
        const b = body as SignalBatchBody;
        const author = authorOf(req, b.author, ['ui', 'api', 'scenario', 'import']);
        const states = await engine.signals.changeMany(b.changes, author, b.note);
        return { json: { signals: states.map((s) => signalView(engine, s)) } satisfies SignalsPage };
      },
    },
  ];
}

/** Routes of one signal. */
function keyRoutes(engine: Engine): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/signals/:key',
      handler: ({ params }) => ({ json: signalView(engine, engine.signals.state(params.key!)) }),
    },
    {
      method: 'PUT',
      path: '/api/signals/:key',
      body: SetSignalBody,
      handler: async ({ params, body, req }) => {
        const { author: given, note, ...patch } = body as SetSignalBody;
        if (Object.keys(patch).length === 0)
          throw new ValidationError([{ path: '', message: 'give at least one of value, rollout, targeting' }]);
        const author = authorOf(req, given, ['ui', 'api', 'scenario']);
        const s = await engine.signals.change(params.key!, patch, author, note);
        return { json: signalView(engine, s) };
      },
    },
    {
      method: 'GET',
      path: '/api/signals/:key/history',
      handler: async ({ params, query }) => ({ json: await historyPage(engine, params.key!, query) }),
    },
    {
      method: 'POST',
      path: '/api/signals/:key/rollback',
      body: RollbackSignalBody,
      handler: async ({ params, body }) => {
        const b = body as RollbackSignalBody;
        return { json: signalView(engine, await engine.signals.rollback(params.key!, b.revision, b.note)) };
      },
    },
    {
      method: 'POST',
      path: '/api/signals/:key/evaluate',
      body: EvaluateSignalBody,
      handler: ({ params, body }) => {
        const key = params.key!;
        const e = engine.signals.evaluate(key, (body as EvaluateSignalBody).context);
        const spec = engine.signals.spec(key);
        const out: SignalEvaluation = {
          key,
          ...e,
          value: maskValue(spec, e.value),
          revision: engine.signals.state(key).revision,
        };
        return { json: out };
      },
    },
  ];
}

/** Every signals route, in matching order. */
export function signalRoutes(engine: Engine): Route[] {
  return [...collectionRoutes(engine), ...keyRoutes(engine)];
}
