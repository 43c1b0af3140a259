/**
 * Loading and validating organism manifests. The whole file is parsed and checked before
 * anything starts; every problem is reported as `file:line:col: path: message`.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { ValidationError, type Issue } from '../errors.ts';
import { check, formatPath, suggest, type DocPath, type Locator } from '../util/validate.ts';
import { parseYaml } from '../util/yaml-doc.ts';
import { cronIssues } from '../util/cron.ts';
import { signalValueError } from '../signals/index.ts';
import { Cell, Manifest, type CellDoc, type ManifestDoc } from './schema.ts';
import { normalise, normaliseCell, ms, type CellSpec, type OrganismSpec } from './model.ts';

/** A manifest that passed every check, with where it came from. */
export interface LoadedOrganism {
  spec: OrganismSpec;
  doc: ManifestDoc;
  source: string;
  text: string;
  /** sha256 of the normalised spec: identical organisms share a version row. */
  hash: string;
}

type Report = (path: DocPath, message: string, what?: 'key' | 'value') => void;

function reporter(issues: Issue[], file: string | undefined, locate: Locator | undefined): Report {
  return (path, message, what = 'value') => {
    const p = locate?.(path, what);
    issues.push({ file, line: p?.line, col: p?.col, path: formatPath(path), message });
  };
}

function checkOperations(cell: CellDoc, at: DocPath, report: Report): void {
  const ops = new Set<string>();
  cell.operations.forEach((op, j) => {
    if (ops.has(op.name)) report([...at, 'operations', j, 'name'], `duplicate operation '${op.name}' in cell '${cell.name}'`);
    ops.add(op.name);
    const p50 = ms(op.latency.p50);
    const p99 = ms(op.latency.p99);
    if (p99 < p50)
      report([...at, 'operations', j, 'latency', 'p99'], `p99 (${op.latency.p99}) must be ≥ p50 (${op.latency.p50})`);
  });
  const s = cell.scaling;
  if (s?.min !== undefined && s.max !== undefined && s.min > s.max)
    report([...at, 'scaling', 'min'], `min (${s.min}) must be ≤ max (${s.max})`);
  const r = cell.resilience?.retryBackoff;
  if (r && ms(r.max) < ms(r.base)) report([...at, 'resilience', 'retryBackoff', 'max'], `max must be ≥ base (${r.base})`);
}

/** Checks calls of `cells` against the operations known in `known` (cell → ops). */
function checkCalls(cells: CellDoc[], known: Map<string, Set<string>>, at: (i: number) => DocPath, report: Report): void {
  cells.forEach((cell, i) =>
    cell.operations.forEach((op, j) =>
      (op.calls ?? []).forEach((call, k) => {
        const path = [...at(i), 'operations', j, 'calls', k];
        const ops = known.get(call.cell);
        if (!ops) {
          const close = suggest(call.cell, known.keys());
          report([...path, 'cell'], `unknown cell '${call.cell}'${close ? ` (did you mean '${close}'?)` : ''}`);
        } else if (!ops.has(call.op)) {
          report([...path, 'op'], `cell '${call.cell}' has no operation '${call.op}'; it has: ${[...ops].join(', ')}`);
        }
      }),
    ),
  );
}

/** Finds a call cycle (`a.x → b.y → a.x`), which would recurse forever. */
function findCycle(cells: CellDoc[]): string[] | undefined {
  const calls = new Map<string, string[]>();
  for (const c of cells)
    for (const op of c.operations)
      calls.set(
        `${c.name}.${op.name}`,
        (op.calls ?? []).map((k) => `${k.cell}.${k.op}`),
      );
  const state = new Map<string, 1 | 2>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 2) return undefined;
    if (state.get(node) === 1) return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 1);
    stack.push(node);
    for (const next of calls.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 2);
    return undefined;
  };
  for (const node of calls.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

function checkPathways(doc: ManifestDoc, known: Map<string, Set<string>>, report: Report): void {
  const routes = new Map<string, number>();
  (doc.pathways ?? []).forEach((p, i) => {
    const [cell = '', op = ''] = p.to.split('.');
    if (!known.has(cell)) {
      const close = suggest(cell, known.keys());
      report(['pathways', i, 'to'], `unknown cell '${cell}'${close ? ` (did you mean '${close}'?)` : ''}`);
    } else if (!known.get(cell)!.has(op)) {
      report(['pathways', i, 'to'], `cell '${cell}' has no operation '${op}'; it has: ${[...known.get(cell)!].join(', ')}`);
    }
    const shape = p.route.replace(/:[^/]+/g, ':');
    if (routes.has(shape)) report(['pathways', i, 'route'], `route '${p.route}' duplicates pathways[${routes.get(shape)}]`);
    routes.set(shape, i);
    const path = p.route.split(' ')[1] ?? '';
    if (path.includes('*') && !path.endsWith('/*') && path !== '*')
      report(['pathways', i, 'route'], `'*' is only allowed as the last path segment, e.g. "GET /static/*"`);
    if (p.scopes?.length && p.auth !== 'jwt') report(['pathways', i, 'scopes'], `scopes need auth: jwt`);
  });
}

function checkSignals(doc: ManifestDoc, report: Report): void {
  const keys = new Map<string, number>();
  (doc.signals ?? []).forEach((s, i) => {
    if (keys.has(s.key)) report(['signals', i, 'key'], `duplicate signal '${s.key}' (also signals[${keys.get(s.key)}])`);
    keys.set(s.key, i);
    if (s.type === 'enum' && !s.values) report(['signals', i], `an enum signal needs 'values'`);
    if (s.rollout !== undefined && s.type !== 'flag') report(['signals', i, 'rollout'], `rollout applies to flags only`);
    if (s.min !== undefined && s.max !== undefined && s.min > s.max) report(['signals', i, 'min'], `min must be ≤ max`);
    const err = signalValueError(s, s.value);
    if (err) report(['signals', i, 'value'], err);
  });
}

const JOB_NEEDS: Record<string, Array<'olderThan' | 'idleFor'>> = {
  'prune-events': ['olderThan'],
  'compact-metrics': ['olderThan'],
  'decommission-idle': ['idleFor'],
};
/** Knobs each action reads; setting another one is a mistake worth pointing at. */
const JOB_KNOBS: Record<string, string[]> = {
  'prune-events': ['olderThan'],
  'compact-metrics': ['olderThan'],
  'rotate-logs': ['maxSize', 'olderThan', 'keep'],
  'decommission-idle': ['idleFor', 'remove'],
  'expire-keys': ['olderThan'],
  'expire-quarantines': [],
  vacuum: [],
};

function checkRecycling(doc: ManifestDoc, report: Report): void {
  const names = new Set<string>();
  (doc.recycling ?? []).forEach((job, i) => {
    if (names.has(job.name)) report(['recycling', i, 'name'], `duplicate job name '${job.name}'`);
    names.add(job.name);
    const cronErrors = cronIssues(job.schedule);
    if (cronErrors.length)
      report(['recycling', i, 'schedule'], `invalid cron expression ${JSON.stringify(job.schedule)}: ${cronErrors.join('; ')}`);
    for (const need of JOB_NEEDS[job.action] ?? [])
      if (job[need] === undefined) report(['recycling', i], `action '${job.action}' needs '${need}'`);
    if (job.action === 'rotate-logs' && job.maxSize === undefined && job.olderThan === undefined)
      report(['recycling', i], `action 'rotate-logs' needs 'maxSize' or 'olderThan'`);
    for (const knob of ['olderThan', 'idleFor', 'maxSize', 'keep', 'remove'] as const)
      if (job[knob] !== undefined && !(JOB_KNOBS[job.action] ?? []).includes(knob))
        report(['recycling', i, knob], `'${knob}' does not apply to action '${job.action}'`, 'key');
  });
}

function knownOps(cells: CellDoc[]): Map<string, Set<string>> {
  return new Map(cells.map((c) => [c.name, new Set(c.operations.map((o) => o.name))]));
}

/** Checks that JSON Schema cannot express: references, duplicates, cycles, value types. */
export function semanticIssues(doc: ManifestDoc, file?: string, locate?: Locator): Issue[] {
  const issues: Issue[] = [];
  const report = reporter(issues, file, locate);
  const names = new Map<string, number>();
  doc.cells.forEach((c, i) => {
    if (names.has(c.name)) report(['cells', i, 'name'], `duplicate cell '${c.name}' (also cells[${names.get(c.name)}])`);
    names.set(c.name, i);
    checkOperations(c, ['cells', i], report);
  });
  const known = knownOps(doc.cells);
  checkCalls(doc.cells, known, (i) => ['cells', i], report);
  if (issues.length === 0) {
    const cycle = findCycle(doc.cells);
    if (cycle) report(['cells'], `call cycle: ${cycle.join(' → ')}`);
  }
  checkPathways(doc, known, report);
  checkSignals(doc, report);
  checkRecycling(doc, report);
  return issues;
}

/** Parses and validates manifest text; throws {@link ValidationError} listing every problem. */
export function parseOrganism(text: string, file?: string): LoadedOrganism {
  const src = parseYaml(text, file);
  if (src.issues.length) throw new ValidationError(src.issues);
  if (src.value === null || typeof src.value !== 'object' || Array.isArray(src.value))
    throw new ValidationError([{ file, line: 1, col: 1, path: '', message: 'an organism manifest must be a YAML mapping' }]);
  const schemaIssues = check(Manifest, src.value, src.locate).map((i) => ({ ...i, file }));
  if (schemaIssues.length) throw new ValidationError(schemaIssues);
  const doc = src.value as ManifestDoc;
  const issues = semanticIssues(doc, file, src.locate);
  if (issues.length) throw new ValidationError(issues);
  const spec = normalise(doc);
  const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
  return { spec, doc, source: file ?? 'inline', text, hash };
}

/** Reads and validates a manifest file. */
export async function loadOrganismFile(file: string): Promise<LoadedOrganism> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ValidationError([{ file, line: 1, col: 1, path: '', message: `cannot read file: ${(err as Error).message}` }], {
      cause: err,
    });
  }
  return parseOrganism(text, file);
}

/**
 * Validates a cell to be spawned into a running organism (API or scenario): the schema, its own
 * operations, and calls to cells that exist (or to itself).
 */
export function checkNewCell(body: unknown, running: Array<Pick<CellSpec, 'name' | 'operations'>>): CellSpec {
  const issues = check(Cell, body);
  if (issues.length) throw new ValidationError(issues);
  const doc = body as CellDoc;
  const found: Issue[] = [];
  const report = reporter(found, undefined, undefined);
  checkOperations(doc, [], report);
  const known = new Map(running.map((c) => [c.name, new Set(c.operations.map((o) => o.name))]));
  known.set(doc.name, new Set(doc.operations.map((o) => o.name)));
  checkCalls([doc], known, () => [], report);
  if (found.length) throw new ValidationError(found);
  return normaliseCell(doc);
}
