/**
 * Loading and validating scenarios: the whole file — and the organism it names — is checked before
 * anything starts. Problems are `file:line:col: path: message`, exit code 2.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { EVENT_TYPES } from '../api/events.ts';
import { ValidationError, type Issue } from '../errors.ts';
import { FAULTS, staticContext } from '../faults/index.ts';
import { loadOrganismFile, ms, type LoadedOrganism } from '../organism/index.ts';
import { allSignals, signalValueError } from '../signals/index.ts';
import { routeIssue } from '../traffic/index.ts';
import { check, formatPath, type DocPath } from '../util/validate.ts';
import { parseYaml } from '../util/yaml-doc.ts';
import { parseDuration, parseRate } from '../util/units.ts';
import { CAPABILITIES } from './capabilities.ts';
import type { PlannedExpectation, PlannedStep, ScenarioPlan, StepAction } from './model.ts';
import { COMPARATORS, Scenario, STEP_ACTIONS, type Expectation, type ScenarioDoc, type Step } from './schema.ts';

type Report = (path: DocPath, message: string) => void;

const LATENCY = new Set(['p50', 'p95', 'p99']);
const SHARES = new Set(['errorRate', 'blocked', 'quarantined', 'utilization']);

/** A threshold in the metric's unit: ms for latencies, per second for rps, a number otherwise. */
function threshold(metric: string, raw: number | string): number | string {
  if (typeof raw === 'number') return raw;
  if (LATENCY.has(metric)) return parseDuration(raw) ?? `must be a duration like 300ms, got ${JSON.stringify(raw)}`;
  if (metric === 'rps') return parseRate(raw) ?? `must be a rate like 100/s, got ${JSON.stringify(raw)}`;
  const n = Number(raw);
  return Number.isFinite(n) ? n : `must be a number, got ${JSON.stringify(raw)}`;
}

function windowOf(e: Expectation, durationMs: number, at: DocPath, report: Report): { fromMs: number; toMs: number } {
  const [from, to] = e.window ?? ['0s', `${durationMs}ms`];
  const fromMs = ms(from);
  const toMs = ms(to);
  if (toMs <= fromMs) report([...at, 'window'], `the window must end after it starts ([${from}, ${to}])`);
  if (toMs > durationMs) report([...at, 'window'], `the window ends after the scenario (${to} > duration)`);
  return { fromMs, toMs };
}

function comparatorOf(
  e: Expectation,
  at: DocPath,
  report: Report,
): { comparator: (typeof COMPARATORS)[number]; raw: number | string } | undefined {
  const given = COMPARATORS.filter((c) => e[c] !== undefined);
  if (given.length !== 1) {
    report(at, `give exactly one comparator of ${COMPARATORS.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}`);
    return undefined;
  }
  return { comparator: given[0]!, raw: e[given[0]!]! };
}

interface Names {
  traffic: Map<string, string>;
  attacks: Set<string>;
  cells: Set<string>;
  routes: readonly string[];
}

function planMetric(e: Expectation, i: number, durationMs: number, names: Names, report: Report): PlannedExpectation | undefined {
  const at: DocPath = ['expect', i];
  const metric = e.metric!;
  if (metric === 'quarantined' && !e.traffic) report(at, "the 'quarantined' metric needs traffic: (a stream or attack name)");
  if (metric === 'quarantined' && !CAPABILITIES.quarantine!.available)
    report([...at, 'metric'], `${CAPABILITIES.quarantine!.what}, which this build does not have yet`);
  if (e.traffic && !names.traffic.has(e.traffic) && !names.attacks.has(e.traffic))
    report(
      [...at, 'traffic'],
      `no traffic stream or attack named '${e.traffic}'; streams: ${[...names.traffic.keys(), ...names.attacks].join(', ')}`,
    );
  if (e.traffic && e.route && names.traffic.get(e.traffic) && names.traffic.get(e.traffic) !== e.route)
    report([...at, 'route'], `stream '${e.traffic}' goes to ${names.traffic.get(e.traffic)}, not ${e.route}`);
  if (e.route && !names.routes.includes(e.route))
    report([...at, 'route'], `no pathway '${e.route}'; pathways: ${names.routes.join(', ')}`);
  if (e.cell && !names.cells.has(e.cell)) report([...at, 'cell'], `no cell '${e.cell}'`);
  const gaugeMetric = metric === 'replicas' || metric === 'utilization' || metric === 'queue';
  if (gaugeMetric && !e.cell) report(at, `the '${metric}' metric needs a cell`);
  if (!gaugeMetric && e.cell && (e.route || e.traffic)) report([...at, 'cell'], 'select by cell, or by route/traffic, not both');
  if (e.agg && !gaugeMetric) report([...at, 'agg'], 'agg applies to the gauges replicas, utilization and queue');
  const window = windowOf(e, durationMs, at, report);
  const cmp = comparatorOf(e, at, report);
  if (!cmp) return undefined;
  const value = threshold(metric, cmp.raw);
  if (typeof value === 'string') return void report([...at, cmp.comparator], value);
  if (SHARES.has(metric) && (value < 0 || value > 1))
    report([...at, cmp.comparator], `${metric} is a share from 0 to 1, got ${value}`);
  return {
    type: 'metric',
    name: e.name,
    abortOnFail: e.abortOnFail ?? false,
    metric,
    ...(e.route ? { route: e.route } : {}),
    ...(e.traffic ? { traffic: e.traffic } : {}),
    ...(e.cell ? { cell: e.cell } : {}),
    ...window,
    ...(e.agg ? { agg: e.agg } : {}),
    comparator: cmp.comparator,
    threshold: value,
  };
}

function planExpectation(
  e: Expectation,
  i: number,
  durationMs: number,
  names: Names,
  report: Report,
): PlannedExpectation | undefined {
  const at: DocPath = ['expect', i];
  const kinds = (['incident', 'metric', 'event'] as const).filter((k) => e[k] !== undefined);
  if (kinds.length !== 1)
    return void report(
      at,
      `an expectation has exactly one of incident, metric, event${kinds.length ? ` (got ${kinds.join(', ')})` : ''}`,
    );
  if (e.metric) return planMetric(e, i, durationMs, names, report);
  if (e.event) {
    if (!(EVENT_TYPES as readonly string[]).includes(e.event)) report([...at, 'event'], `unknown event type '${e.event}'`);
    const window = windowOf(e, durationMs, at, report);
    const cmp = comparatorOf(e, at, report);
    if (!cmp) return undefined;
    const value = typeof cmp.raw === 'number' ? cmp.raw : Number(cmp.raw);
    if (!Number.isFinite(value)) return void report([...at, cmp.comparator], `an event count must be a number`);
    return {
      type: 'event',
      name: e.name,
      abortOnFail: e.abortOnFail ?? false,
      event: e.event,
      ...(e.cell ? { cell: e.cell } : {}),
      ...(e.job ? { job: e.job } : {}),
      ...window,
      comparator: cmp.comparator,
      threshold: value,
    };
  }
  const inc = e.incident!;
  if (!CAPABILITIES.incidents!.available)
    report([...at, 'incident'], `${CAPABILITIES.incidents!.what}, which this build does not have yet`);
  if (inc.source && !names.attacks.has(inc.source))
    report([...at, 'incident', 'source'], `no attack named '${inc.source}' in this scenario's steps`);
  return {
    type: 'incident',
    name: e.name,
    abortOnFail: e.abortOnFail ?? false,
    kind: inc.kind,
    withinMs: ms(inc.within),
    afterMs: ms(inc.after ?? '0s'),
    ...(inc.source ? { source: inc.source } : {}),
  };
}

function actionOf(step: Step, i: number, report: Report): StepAction | undefined {
  const actions = STEP_ACTIONS.filter((a) => step[a] !== undefined);
  if (actions.length !== 1)
    return void report(
      ['steps', i],
      `a step has 'at' and exactly one of ${STEP_ACTIONS.join(', ')}${actions.length ? ` (got ${actions.join(', ')})` : ''}`,
    );
  const a = actions[0]!;
  switch (a) {
    case 'attack':
      return { kind: 'attack', spec: step.attack! };
    case 'fault':
      return { kind: 'fault', spec: step.fault! };
    case 'signal':
      return { kind: 'signal', key: step.signal!.key, value: step.signal!.value };
    case 'scale':
      return { kind: 'scale', cell: step.scale!.cell, replicas: step.scale!.replicas };
    case 'traffic':
      return { kind: 'traffic', name: step.traffic!.name, rate: step.traffic!.rate };
    case 'stop':
      return { kind: 'stop', ...step.stop! };
  }
}

function label(a: StepAction): string {
  switch (a.kind) {
    case 'attack':
      return `attack ${a.spec.kind}${a.spec.name ? ` ${a.spec.name}` : ''}`;
    case 'fault':
      return `fault ${a.spec.kind}${a.spec.cell ? ` on ${a.spec.cell}` : ''}`;
    case 'signal':
      return `signal ${a.key} = ${JSON.stringify(a.value)}`;
    case 'scale':
      return `scale ${a.cell} to ${a.replicas}`;
    case 'traffic':
      return `traffic ${a.name} at ${a.rate}`;
    case 'stop':
      return `stop ${[a.fault, a.attack, a.traffic].filter(Boolean).join(', ')}`;
  }
}

/** Checks one step's action against the organism (predicted cells, signals, routes). */
function checkAction(
  a: StepAction,
  i: number,
  ctx: { organism: LoadedOrganism; names: Names; faults: Set<string> },
  report: Report,
): void {
  const at: DocPath = ['steps', i, a.kind];
  const spec = ctx.organism.spec;
  if (a.kind === 'fault') {
    const kind = FAULTS.get(a.spec.kind);
    for (const issue of kind?.check(a.spec, staticContext(spec, true)) ?? [])
      report([...at, ...issue.path.split('.').filter(Boolean)], issue.message);
  } else if (a.kind === 'attack') {
    if (a.spec.sameClientsAs && !ctx.names.attacks.has(a.spec.sameClientsAs))
      report([...at, 'sameClientsAs'], `no attack named '${a.spec.sameClientsAs}' before this one`);
    if (a.spec.route) {
      const problem = routeIssue(a.spec.route, spec.pathways);
      if (problem) report([...at, 'route'], problem.message);
    } else if (a.spec.kind === 'credential-stuffing' && !spec.pathways.some((p) => p.login))
      report([...at, 'route'], 'credential stuffing needs a route (no pathway is marked login: true)');
  } else if (a.kind === 'signal') {
    const sig = allSignals(spec).find((s) => s.key === a.key);
    if (!sig) return report([...at, 'key'], `no signal '${a.key}'`);
    const err = signalValueError(sig, a.value);
    if (err) report([...at, 'value'], err);
  } else if (a.kind === 'scale') {
    if (!ctx.names.cells.has(a.cell)) report([...at, 'cell'], `no cell '${a.cell}'`);
  } else if (a.kind === 'traffic') {
    if (!ctx.names.traffic.has(a.name)) report([...at, 'name'], `no traffic stream '${a.name}'`);
  } else {
    if (a.traffic && !ctx.names.traffic.has(a.traffic)) report([...at, 'traffic'], `no traffic stream '${a.traffic}'`);
    if (a.attack && !ctx.names.attacks.has(a.attack)) report([...at, 'attack'], `no attack named '${a.attack}'`);
    if (a.fault && !ctx.faults.has(a.fault)) report([...at, 'fault'], `no fault named '${a.fault}'`);
  }
}

function planSteps(doc: ScenarioDoc, organism: LoadedOrganism, names: Names, durationMs: number, report: Report): PlannedStep[] {
  const faults = new Set((doc.steps ?? []).map((s) => s.fault?.name).filter((n): n is string => !!n));
  const steps: PlannedStep[] = [];
  (doc.steps ?? []).forEach((step, i) => {
    const atMs = ms(step.at);
    if (atMs >= durationMs) report(['steps', i, 'at'], `at ${step.at} is not before the end of the scenario`);
    const action = actionOf(step, i, report);
    if (!action) return;
    checkAction(action, i, { organism, names, faults }, report);
    steps.push({ index: i, atMs, action, label: label(action) });
  });
  return steps.sort((a, b) => a.atMs - b.atMs || a.index - b.index);
}

async function organismOf(doc: ScenarioDoc, file: string, report: Report): Promise<LoadedOrganism | undefined> {
  const path = resolve(dirname(file), doc.organism);
  try {
    return await loadOrganismFile(path);
  } catch (err) {
    if (err instanceof ValidationError && err.issues.every((i) => i.file === path && i.message.startsWith('cannot read'))) {
      report(['organism'], `cannot read the organism ${path}`);
      return undefined;
    }
    throw err; // the organism's own problems, located in its file
  }
}

/** Parses and validates a scenario and its organism; throws {@link ValidationError} with every problem. */
export async function parseScenario(text: string, file: string): Promise<ScenarioPlan> {
  const src = parseYaml(text, file);
  if (src.issues.length) throw new ValidationError(src.issues);
  const issues = check(Scenario, src.value, src.locate).map((i) => ({ ...i, file }));
  if (issues.length) throw new ValidationError(issues);
  const doc = src.value as ScenarioDoc;
  const found: Issue[] = [];
  const report: Report = (path, message) => {
    const p = src.locate(path, 'value');
    found.push({ file, line: p?.line, col: p?.col, path: formatPath(path), message });
  };
  const organism = await organismOf(doc, file, report);
  if (!organism) throw new ValidationError(found);
  const durationMs = ms(doc.duration);
  const spec = organism.spec;
  const attacks = new Set(
    (doc.steps ?? [])
      .map((s, i) => (s.attack ? (s.attack.name ?? `${s.attack.kind}-${i}`) : undefined))
      .filter((n): n is string => !!n),
  );
  const names: Names = {
    traffic: new Map((doc.traffic ?? []).map((t) => [t.name, t.route])),
    attacks,
    cells: new Set(spec.cells.map((c) => c.name)),
    routes: spec.pathways.map((p) => p.route),
  };
  const seen = new Set<string>();
  (doc.traffic ?? []).forEach((t, i) => {
    if (seen.has(t.name) || attacks.has(t.name)) report(['traffic', i, 'name'], `duplicate stream name '${t.name}'`);
    seen.add(t.name);
    const problem = routeIssue(t.route, spec.pathways);
    if (problem) report(['traffic', i, 'route'], problem.message);
    if (t.from && ms(t.from) >= durationMs) report(['traffic', i, 'from'], 'starts after the scenario ends');
  });
  const steps = planSteps(doc, organism, names, durationMs, report);
  const expect = (doc.expect ?? [])
    .map((e, i) => planExpectation(e, i, durationMs, names, report))
    .filter((e): e is PlannedExpectation => !!e);
  if (found.length) throw new ValidationError(found);
  return {
    name: doc.metadata.name,
    ...(doc.metadata.description ? { description: doc.metadata.description } : {}),
    file,
    organism,
    durationMs,
    seed: doc.seed ?? 1,
    traffic: (doc.traffic ?? []).map((t) => ({ spec: t, fromMs: t.from ? ms(t.from) : 0 })),
    steps,
    expect,
    attacks: [...attacks],
  };
}

/** Reads and validates a scenario file. */
export async function loadScenarioFile(file: string): Promise<ScenarioPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError([{ file, line: 1, col: 1, path: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  return parseScenario(text, file);
}
