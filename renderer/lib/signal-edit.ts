/**
 * The Signals view's editors: which control fits a signal, reading what was typed, showing values
 * and changes. Pure; range checks stay with the engine so its problem message is what people see.
 */
import type { SignalView } from '../../engine/api/schema.ts';

/** The control that edits a signal. */
export type EditorKind = 'slider' | 'number' | 'toggle' | 'select' | 'text' | 'secret';

/** A signal value as JSON. */
export type SignalValue = SignalView['value'];

/** Picks the editor: a slider when a number has both bounds, a toggle for bool and flag… */
export function editorKind(s: Pick<SignalView, 'type' | 'secret' | 'min' | 'max' | 'values'>): EditorKind {
  if (s.secret) return 'secret';
  switch (s.type) {
    case 'number':
      return s.min !== undefined && s.max !== undefined && Number.isFinite(s.min) && Number.isFinite(s.max) ? 'slider' : 'number';
    case 'bool':
    case 'flag':
      return 'toggle';
    case 'enum':
      return s.values?.length ? 'select' : 'text';
    case 'string':
    case 'duration':
      return 'text';
  }
}

/** A slider step giving about a hundred positions between the bounds, on a round number. */
export function sliderStep(min: number, max: number): number {
  const range = max - min;
  if (!(range > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(range / 100));
  return Number(step.toPrecision(1));
}

/** What was typed, as the value to send; `error` when it cannot be one (e.g. `abc` for a number). */
export function parseInput(type: SignalView['type'], text: string): { value: SignalValue } | { error: string } {
  const t = text.trim();
  switch (type) {
    case 'number': {
      if (t === '') return { value: null };
      const n = Number(t);
      return Number.isFinite(n) ? { value: n } : { error: `“${t}” is not a number` };
    }
    case 'bool':
    case 'flag':
      if (t === 'true' || t === 'on') return { value: true };
      if (t === 'false' || t === 'off') return { value: false };
      return { error: 'use true or false' };
    case 'string':
    case 'duration':
    case 'enum':
      return { value: text };
  }
}

/** A value for people: `not set`, `on`/`off` for flags and bools, numbers as they are. */
export function showValue(v: SignalValue | undefined, type?: SignalView['type']): string {
  if (v === null || v === undefined) return 'not set';
  if (typeof v === 'boolean') return type === 'flag' || type === 'bool' ? (v ? 'on' : 'off') : String(v);
  if (typeof v === 'number') return String(Math.round(v * 1e6) / 1e6);
  return v === '' ? '“”' : v;
}

/** A history row's change: `1 → 2.5`, or `set to 1` for a first revision. */
export function describeChange(
  previous: SignalValue | undefined,
  value: SignalValue | undefined,
  type?: SignalView['type'],
): string {
  if (previous === undefined) return `set to ${showValue(value, type)}`;
  const from = showValue(previous, type);
  const to = showValue(value, type);
  if (typeof previous === 'number' && typeof value === 'number' && previous !== 0) {
    const ratio = value / previous;
    const pct = Math.round((ratio - 1) * 100);
    if (pct !== 0) return `${from} → ${to} (${pct > 0 ? '+' : ''}${pct}%)`;
  }
  return from === to ? `${to} (unchanged)` : `${from} → ${to}`;
}

/** A rollout share as a percentage: `10%`. */
export function showRollout(share: number | undefined): string {
  return share === undefined ? 'everyone' : `${Math.round(share * 1000) / 10}%`;
}
