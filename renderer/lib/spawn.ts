/**
 * The spawn-a-cell form: its fields, client-side checks that mirror the manifest schema (the
 * engine validates again and its answer wins), and the manifest-shaped body it posts.
 */
import type { SpawnCellBody } from '../../engine/api/schema.ts';

/** What the form edits. */
export interface SpawnForm {
  name: string;
  replicas: number;
  operation: string;
  p50Ms: number;
  p99Ms: number;
  /** Percent, 0..100. */
  errorPct: number;
  /** Downstream calls as `cell.op`. */
  calls: string[];
}

/** A fresh form. */
export function emptySpawnForm(): SpawnForm {
  return { name: '', replicas: 1, operation: 'handle', p50Ms: 10, p99Ms: 50, errorPct: 0, calls: [] };
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Field → message for every problem; empty when the form can be sent. */
export function checkSpawnForm(form: SpawnForm, existing: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!NAME.test(form.name)) errors.name = 'lower-case letters, digits and dashes, starting with a letter';
  else if (existing.includes(form.name)) errors.name = `a cell named ${form.name} already exists`;
  if (!Number.isInteger(form.replicas) || form.replicas < 0 || form.replicas > 100)
    errors.replicas = 'a whole number from 0 to 100';
  if (!NAME.test(form.operation)) errors.operation = 'lower-case letters, digits and dashes';
  if (!(form.p50Ms > 0)) errors.p50Ms = 'more than 0 ms';
  if (!(form.p99Ms >= form.p50Ms)) errors.p99Ms = 'at least the median';
  if (!(form.errorPct >= 0 && form.errorPct <= 100)) errors.errorPct = 'from 0 to 100 %';
  return errors;
}

/** The manifest-shaped body of `POST /api/cells`. */
export function spawnBody(form: SpawnForm): SpawnCellBody {
  const calls = form.calls.map((c) => {
    const [cell, op] = c.split('.');
    return { cell: cell!, op: op! };
  });
  return {
    name: form.name,
    replicas: form.replicas,
    operations: [
      {
        name: form.operation,
        latency: { p50: `${form.p50Ms}ms`, p99: `${form.p99Ms}ms` },
        ...(form.errorPct > 0 ? { errorRate: form.errorPct / 100 } : {}),
        ...(calls.length ? { calls } : {}),
      },
    ],
  };
}
