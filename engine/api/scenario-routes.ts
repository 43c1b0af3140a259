/** Routes of scenarios played inside the running engine: list, play, watch, abort. */
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Engine } from '../engine.ts';
import { NotFoundError, UnprocessableError, ValidationError, isNamedError, type Issue } from '../errors.ts';
import { SCENARIOS_DIR, ScenarioSession, listScenarios, parseScenario, type ScenarioPlan } from '../scenario/index.ts';
import type { Route } from './http.ts';
import { PlayScenarioBody, type ScenarioCurrent, type ScenarioPlaying, type ScenariosPage } from './schema.ts';

/** Where a `file` of the play body points: absolute, or under fixtures/scenarios. */
function scenarioPath(file: string): string {
  if (isAbsolute(file)) return file;
  const path = resolve(SCENARIOS_DIR, file);
  const rel = relative(SCENARIOS_DIR, path);
  if (rel.startsWith('..') || isAbsolute(rel))
    throw new ValidationError([
      { path: 'file', message: `must be under fixtures/scenarios or absolute, got ${JSON.stringify(file)}` },
    ]);
  return path;
}

/** Reads and validates the scenario of a play body; invalid YAML or grammar → 422. */
async function planOf(body: PlayScenarioBody): Promise<ScenarioPlan> {
  if ((body.file === undefined) === (body.text === undefined))
    throw new ValidationError([{ path: '', message: 'give exactly one of file (a scenario path) and text (scenario YAML)' }]);
  let text: string;
  let file: string;
  if (body.file !== undefined) {
    file = scenarioPath(body.file);
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new NotFoundError(`scenario file ${file}`);
    }
  } else {
    text = body.text!;
    file = join(SCENARIOS_DIR, basename(body.filename ?? 'pasted.yaml'));
  }
  try {
    return await parseScenario(text, file);
  } catch (err) {
    if (!isNamedError(err, 'ValidationError')) throw err;
    const issues = (err as unknown as { issues: Issue[] }).issues;
    // Pasted text has no file: locate its issues by the name the user gave it.
    const shown = body.text === undefined ? file : basename(body.filename ?? 'pasted.yaml');
    throw new UnprocessableError(issues.map((i) => (i.file === file ? { ...i, file: shown } : i)));
  }
}

/** `GET /api/scenarios`, `POST /api/scenarios/play`, `GET|DELETE /api/scenarios/current`. */
export function scenarioRoutes(engine: Engine): Route[] {
  const session = ScenarioSession.of(engine);
  return [
    {
      method: 'GET',
      path: '/api/scenarios',
      handler: async () => {
        const page: ScenariosPage = { organism: engine.organism.spec.name, scenarios: await listScenarios(engine.organism) };
        return { json: page };
      },
    },
    {
      method: 'POST',
      path: '/api/scenarios/play',
      body: PlayScenarioBody,
      handler: async ({ body }) => {
        const plan = await planOf(body as PlayScenarioBody);
        const status: ScenarioPlaying = session.play(plan);
        return { status: 202, json: status };
      },
    },
    {
      method: 'GET',
      path: '/api/scenarios/current',
      handler: () => {
        const page: ScenarioCurrent = { current: session.current() ?? null, last: session.last ?? null };
        return { json: page };
      },
    },
    {
      method: 'DELETE',
      path: '/api/scenarios/current',
      handler: async () => {
        const report = await session.abort();
        if (!report) throw new NotFoundError('a playing scenario');
        return { json: report };
      },
    },
  ];
}
