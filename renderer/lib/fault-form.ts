/**
 * The Faults & Attacks forms: which fields each fault and attack kind takes (from the engine's
 * fault checks), and turning the form's strings into a spec for the API. Pure.
 */
import type { AttackSpec, FaultSpec } from '../../engine/api/schema.ts';

/** A field of the fault form. */
export type FaultField =
  'cell' | 'op' | 'replica' | 'route' | 'to' | 'add' | 'jitter' | 'rate' | 'status' | 'probability' | 'mode' | 'for';

/** One field as the form shows it. */
export interface FieldDef {
  field: FaultField;
  label: string;
  required: boolean;
  placeholder?: string;
}

const f = (field: FaultField, label: string, required = false, placeholder?: string): FieldDef => ({
  field,
  label,
  required,
  ...(placeholder ? { placeholder } : {}),
});

const DURATION = f('for', 'For', false, '30s (empty: until cleared)');

/** The fields of each fault kind, in form order. */
export const FAULT_FIELDS: Record<FaultSpec['kind'], FieldDef[]> = {
  latency: [
    f('cell', 'Cell', true),
    f('op', 'Operation'),
    f('route', 'Route'),
    f('add', 'Added latency', true, '150ms'),
    f('jitter', 'Jitter', false, '20ms'),
    f('probability', 'Probability', false, '1'),
    DURATION,
  ],
  error: [
    f('cell', 'Cell', true),
    f('op', 'Operation'),
    f('route', 'Route'),
    f('rate', 'Share failing', false, '0.5'),
    f('status', 'HTTP status', false, '500'),
    DURATION,
  ],
  crash: [f('cell', 'Cell', true), f('replica', 'Replica'), DURATION],
  hang: [
    f('cell', 'Cell', true),
    f('op', 'Operation'),
    f('route', 'Route'),
    f('probability', 'Probability', false, '1'),
    DURATION,
  ],
  partition: [f('cell', 'Cell', true), f('to', 'Other cell', true), DURATION],
  throttle: [f('cell', 'Cell', true), f('rate', 'Cap', true, '20/s'), DURATION],
  leak: [f('cell', 'Cell', true), f('replica', 'Replica'), f('rate', 'Growth (MB/s)', true, '20/s'), DURATION],
  'bus-outage': [f('mode', 'Mode', false, 'pause'), { ...DURATION, required: true, placeholder: '5s' }],
};

/** The form's values as typed, empty when left out (number inputs bind numbers). */
export type FormValues = Partial<Record<string, string | number | null>>;

/** A form value as trimmed text ('' when absent). */
const text = (v: string | number | null | undefined): string => (v === undefined || v === null ? '' : String(v).trim());

/** Reads a number, or a rate like `20/s`, as the schema takes it. */
function rateOrNumber(text: string): number | string {
  const n = Number(text);
  return text !== '' && Number.isFinite(n) ? n : text;
}

/** A fault spec from the form: only the kind's fields, empty ones left out, numbers as numbers. */
export function buildFaultSpec(kind: FaultSpec['kind'], values: FormValues): FaultSpec {
  const spec: Record<string, unknown> = { kind };
  for (const { field } of FAULT_FIELDS[kind]) {
    const raw = text(values[field]);
    if (raw === '') continue;
    if (field === 'status' || field === 'probability') spec[field] = Number(raw);
    else if (field === 'rate') spec[field] = rateOrNumber(raw);
    else spec[field] = raw;
  }
  const name = text(values.name);
  if (name) spec.name = name;
  return spec as FaultSpec;
}

/** Whether an attack kind needs a route (the others pick a fitting one). */
export const ATTACK_HINTS: Record<AttackSpec['kind'], string> = {
  flood: 'many requests from a few clients',
  'distributed-flood': 'many requests spread over many clients',
  'credential-stuffing': 'logins with leaked passwords (route: the login pathway)',
  injection: 'SQL, XSS and path payloads the WAF should catch',
  scraping: 'a crawler walking every id',
  'forged-token': 'requests with tokens not signed by the issuer (route: a jwt pathway)',
  slowloris: 'connections held open, sending a byte at a time',
};

/** An attack spec from the form. */
export function buildAttackSpec(kind: AttackSpec['kind'], values: FormValues): AttackSpec {
  const rate = text(values.rate);
  const spec: Record<string, unknown> = { kind, rate: rate === '' ? 100 : rateOrNumber(rate) };
  const route = text(values.route);
  if (route) spec.route = route;
  const clients = text(values.clients);
  if (clients) spec.clients = Number(clients);
  const dur = text(values.for);
  if (dur) spec.for = dur;
  const name = text(values.name);
  if (name) spec.name = name;
  return spec as AttackSpec;
}

/** One line about a fault for the list: `+150ms on inventory.stock (p 0.5)`. */
export function describeFault(spec: FaultSpec): string {
  const where = spec.cell ? `${spec.cell}${spec.op ? `.${spec.op}` : ''}${spec.replica ? ` (${spec.replica})` : ''}` : '';
  const route = spec.route ? ` on ${spec.route}` : '';
  const p = spec.probability !== undefined && spec.probability < 1 ? `, p ${spec.probability}` : '';
  switch (spec.kind) {
    case 'latency':
      return `+${spec.add ?? '?'}${spec.jitter ? ` ±${spec.jitter}` : ''} on ${where}${route}${p}`;
    case 'error':
      return `${typeof spec.rate === 'number' ? `${Math.round(spec.rate * 1000) / 10}%` : (spec.rate ?? '100%')} of requests → ${spec.status ?? 500} on ${where}${route}`;
    case 'crash':
      return `crash ${where}`;
    case 'hang':
      return `hang ${where}${route}${p}`;
    case 'partition':
      return `${spec.cell ?? '?'} ⟷ ${spec.to ?? '?'} cut`;
    case 'throttle':
      return `${where} capped at ${spec.rate ?? '?'}`;
    case 'leak':
      return `${where} leaking ${spec.rate ?? '?'} MB`;
    case 'bus-outage':
      return `nats-server ${spec.mode === 'stop' ? 'stopped' : 'paused'}`;
  }
}
