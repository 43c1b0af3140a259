/**
 * Typed signal values: validation and the built-in signals every organism has. Pure: no NATS.
 */
import type { CellSpec, OrganismSpec, SignalSpec } from '../organism/index.ts';
import { DEFAULT_ANOMALY_THRESHOLD } from '../organism/schema.ts';
import { parseDuration } from '../util/units.ts';
import type { WireSpec } from './codec.ts';

/** A signal value as stored (JSON): null means "not set" where the type allows it. */
export type SignalValue = number | string | boolean | null;

/** Why a value does not fit a signal's declared type, or undefined when it fits. */
export function signalValueError(spec: Pick<SignalSpec, 'type' | 'min' | 'max' | 'values'>, value: unknown): string | undefined {
  if (value === null) return spec.type === 'bool' || spec.type === 'flag' ? `a ${spec.type} cannot be null` : undefined;
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${JSON.stringify(value)}`;
      if (spec.min !== undefined && value < spec.min) return `must be ≥ ${spec.min}, got ${value}`;
      if (spec.max !== undefined && value > spec.max) return `must be ≤ ${spec.max}, got ${value}`;
      return undefined;
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, got ${JSON.stringify(value)}`;
    case 'bool':
    case 'flag':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'duration':
      return typeof value === 'string' && parseDuration(value) !== undefined
        ? undefined
        : `must be a duration like 250ms or 5m, got ${JSON.stringify(value)}`;
    case 'enum':
      return typeof value === 'string' && (spec.values ?? []).includes(value)
        ? undefined
        : `must be one of ${(spec.values ?? []).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`;
  }
}

/**
 * Why a value with its live typing (rollout, targeting) does not fit, or undefined when it does.
 * Readers call it on every stored record: a bad one is refused and the last good one stays.
 */
export function recordError(wire: WireSpec, value: unknown): string | undefined {
  const err = signalValueError(wire, value);
  if (err) return err;
  if (wire.rollout !== undefined) {
    if (wire.type !== 'flag') return 'rollout applies to flags only';
    if (typeof wire.rollout !== 'number' || !(wire.rollout >= 0 && wire.rollout <= 1))
      return `rollout must be a share from 0 to 1, got ${JSON.stringify(wire.rollout)}`;
  }
  for (const [i, rule] of (wire.targeting ?? []).entries()) {
    if (typeof rule?.attribute !== 'string' || rule.attribute === '' || !Array.isArray(rule.in) || rule.in.length === 0)
      return `targeting[${i}] needs an attribute and a non-empty 'in' list`;
    const ruleErr = rule.value === null ? 'cannot be null' : signalValueError(wire, rule.value);
    if (ruleErr) return `targeting[${i}].value ${ruleErr}`;
  }
  return undefined;
}

function cellSignals(cell: CellSpec): SignalSpec[] {
  return [
    {
      key: `${cell.name}.latencyFactor`,
      type: 'number',
      value: 1,
      min: 0,
      max: 1000,
      secret: false,
      description: `multiplies ${cell.name}'s latency`,
    },
    {
      key: `${cell.name}.errorRate`,
      type: 'number',
      value: null,
      min: 0,
      max: 1,
      secret: false,
      description: `overrides ${cell.name}'s error rate when set`,
    },
    {
      key: `scaling.${cell.name}.targetUtilization`,
      type: 'number',
      value: cell.scaling.targetUtilization,
      min: 0.01,
      max: 1,
      secret: false,
      description: `target utilization of ${cell.name}'s scaling policy`,
    },
  ];
}

/** The built-in signals of an organism (DESIGN.md), before the manifest's own overrides. */
export function builtinSignals(spec: Pick<OrganismSpec, 'cells' | 'immune'>): SignalSpec[] {
  return [
    ...spec.cells.flatMap(cellSignals),
    {
      key: 'immune.rateLimit.perClient.rps',
      type: 'number',
      value: spec.immune.rateLimit.perClient?.rps ?? null,
      min: 0,
      secret: false,
      description: 'per-client rate limit (requests per second); null disables it',
    },
    {
      key: 'immune.anomaly.threshold',
      type: 'number',
      value: spec.immune.anomaly?.threshold ?? DEFAULT_ANOMALY_THRESHOLD,
      min: 0,
      max: 1,
      secret: false,
      description: 'anomaly score a client must keep reaching to be acted on (1 stops detections)',
    },
  ];
}

/** Built-ins merged with the manifest's declared signals (a declared key replaces a built-in). */
export function allSignals(spec: Pick<OrganismSpec, 'cells' | 'immune' | 'signals'>): SignalSpec[] {
  const byKey = new Map<string, SignalSpec>();
  for (const s of builtinSignals(spec)) byKey.set(s.key, s);
  for (const s of spec.signals) {
    const base = byKey.get(s.key);
    byKey.set(s.key, base ? { ...base, ...s } : s);
  }
  return [...byKey.values()];
}
