/**
 * The registry of recycling actions: one entry per manifest action name. The `satisfies` below
 * makes adding an action to the manifest schema without an implementation a type error.
 */
import { compactMetrics } from './actions/compact-metrics.ts';
import { decommissionIdle } from './actions/decommission-idle.ts';
import { expireKeys } from './actions/expire-keys.ts';
import { expireQuarantines } from './actions/expire-quarantines.ts';
import { pruneEvents } from './actions/prune-events.ts';
import { rotateLogs } from './actions/rotate-logs.ts';
import { vacuum } from './actions/vacuum.ts';
import type { ActionName, RecyclingAction } from './types.ts';

/** Every built-in action, by name. */
export const ACTIONS = {
  'prune-events': pruneEvents,
  'compact-metrics': compactMetrics,
  'rotate-logs': rotateLogs,
  'decommission-idle': decommissionIdle,
  'expire-keys': expireKeys,
  'expire-quarantines': expireQuarantines,
  vacuum,
} as const satisfies Record<ActionName, RecyclingAction>;

/** The action implementing a manifest action name. */
export function actionFor(name: ActionName): RecyclingAction {
  return ACTIONS[name];
}
