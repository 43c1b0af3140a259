/** Cellular recycling: node-cron jobs that prune, compact, rotate, expire and decommission. */
export { Recycling, type RecyclingOptions } from './recycling.ts';
export { ACTIONS, actionFor } from './registry.ts';
export { describeCron } from './describe.ts';
export { cronIssues, splitCron, CronMatcher, CRON_NICKNAMES, type CronFields } from './cron.ts';
export { knobKey, knobSignals } from './knobs.ts';
export { defaultScheduler, type SchedulerKind } from './trigger.ts';
export { cronJobManifests, kubernetesSchedule, type CronJobOptions, type KubernetesSchedule } from './export.ts';
export type {
  ActionContext,
  ActionName,
  ActionResult,
  KnobName,
  KnobSpec,
  KnobValues,
  Quarantine,
  QuarantineStore,
  RecyclingAction,
  RecyclingHost,
} from './types.ts';
