/**
 * Recycling jobs as Kubernetes `batch/v1` CronJobs, so a design grown in Petri carries its
 * clean-up schedule to a cluster. Each CronJob runs `petri recycle <job>` against a Petri control
 * API: Kubernetes decides when, Petri does the work and records it like any manual run.
 *
 * Mapping: `schedule` (5 fields, see {@link kubernetesSchedule}), `concurrencyPolicy: Forbid`
 * (Petri's overlap prevention), `suspend` (paused), history limits, `startingDeadlineSeconds: 60`
 * (a start missed by more than a minute is skipped, as node-cron skips missed ticks),
 * `backoffLimit: 0` (a failed run is not retried: the next scheduled one is the retry).
 */
import { createHash } from 'node:crypto';
import type { OrganismSpec } from '../organism/index.ts';
import { formatDuration } from '../util/units.ts';
import { splitCron } from '../util/cron.ts';
import { describeCron } from './describe.ts';

/** A schedule in Kubernetes' 5-field form, and whether it means exactly what Petri runs. */
export interface KubernetesSchedule {
  schedule: string;
  exact: boolean;
  /** Why it is not exact. */
  note?: string;
}

/**
 * Converts a node-cron expression to Kubernetes' 5 fields. A seconds field cannot be expressed:
 * a fixed second (`0 *\/5 * * * *`) is dropped (exact when it was 0, else the run moves to second 0);
 * any sub-minute pattern (`*\/30 * * * * *`) becomes once a minute, and the note says so.
 */
export function kubernetesSchedule(expression: string): KubernetesSchedule {
  const f = splitCron(expression);
  const schedule = [f.minute, f.hour, f.dayOfMonth, f.month, f.dayOfWeek].join(' ');
  const notes: string[] = [];
  if (f.seconds && /^\d+$/.test(f.second) && f.second !== '0')
    notes.push(`Kubernetes has no seconds field: runs at second 0 instead of second ${f.second}`);
  else if (f.seconds && f.second !== '0')
    notes.push(
      `Kubernetes runs a CronJob at most once a minute: the seconds field '${f.second}' was dropped, so this runs ${describeCron(schedule)} instead of ${describeCron(expression)}`,
    );
  if (/[LW#]/.test(`${f.dayOfMonth} ${f.dayOfWeek}`))
    notes.push(`Kubernetes' cron parser does not know L, W or #: fix the day fields by hand`);
  return notes.length ? { schedule, exact: false, note: notes.join('; ') } : { schedule, exact: true };
}

/** Options of {@link cronJobManifests}. */
export interface CronJobOptions {
  /** Image whose entrypoint can run `petri` (default `petri:0.1.0`). */
  image?: string;
  /** Control API the job calls (default `http://petri:4710`). */
  api?: string;
  /** Secret holding the API token (default `petri-api`, key `token`). */
  tokenSecret?: { name: string; key: string };
  namespace?: string;
  /** IANA zone the schedule is read in (node-cron reads the machine's local zone). */
  timeZone?: string;
  successfulJobsHistoryLimit?: number;
  failedJobsHistoryLimit?: number;
}

/** One exported CronJob. */
export interface ExportedCronJob {
  job: string;
  name: string;
  manifest: Record<string, unknown>;
  schedule: KubernetesSchedule;
}

/** A DNS-1123 name of at most 52 characters (the CronJob limit), stable for long names. */
export function cronJobName(organism: string, job: string): string {
  const name = `${organism}-${job}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  if (name.length <= 52) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 6);
  return `${name.slice(0, 45).replace(/-+$/, '')}-${hash}`;
}

function knobAnnotations(job: OrganismSpec['recycling'][number]): Record<string, string> {
  const out: Record<string, string> = {};
  if (job.olderThanMs !== undefined) out['petri.dev/older-than'] = formatDuration(job.olderThanMs);
  if (job.idleForMs !== undefined) out['petri.dev/idle-for'] = formatDuration(job.idleForMs);
  if (job.maxSize !== undefined) out['petri.dev/max-size'] = String(job.maxSize);
  if (job.keep !== undefined) out['petri.dev/keep'] = String(job.keep);
  if (job.remove !== undefined) out['petri.dev/remove'] = String(job.remove);
  return out;
}

/** The CronJob manifests of an organism's recycling jobs. */
export function cronJobManifests(
  spec: Pick<OrganismSpec, 'name' | 'recycling'>,
  options: CronJobOptions = {},
): ExportedCronJob[] {
  const secret = options.tokenSecret ?? { name: 'petri-api', key: 'token' };
  return spec.recycling.map((job) => {
    const schedule = kubernetesSchedule(job.schedule);
    const name = cronJobName(spec.name, job.name);
    const labels = {
      'app.kubernetes.io/name': 'petri-recycling',
      'app.kubernetes.io/part-of': spec.name,
      'app.kubernetes.io/managed-by': 'petri',
      'petri.dev/job': job.name,
    };
    const annotations = {
      'petri.dev/action': job.action,
      'petri.dev/schedule': job.schedule,
      'petri.dev/schedule-text': describeCron(job.schedule),
      ...knobAnnotations(job),
      ...(schedule.note ? { 'petri.dev/schedule-note': schedule.note } : {}),
    };
    const container = {
      name: 'recycle',
      image: options.image ?? 'petri:0.1.0',
      command: ['petri'],
      args: ['recycle', job.name],
      env: [
        { name: 'PETRI_API', value: options.api ?? 'http://petri:4710' },
        { name: 'PETRI_TOKEN', valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } },
      ],
    };
    const manifest = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name, ...(options.namespace ? { namespace: options.namespace } : {}), labels, annotations },
      spec: {
        schedule: schedule.schedule,
        ...(options.timeZone ? { timeZone: options.timeZone } : {}),
        concurrencyPolicy: 'Forbid',
        suspend: job.paused ?? false,
        startingDeadlineSeconds: 60,
        successfulJobsHistoryLimit: options.successfulJobsHistoryLimit ?? 3,
        failedJobsHistoryLimit: options.failedJobsHistoryLimit ?? 1,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 0,
            template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [container] } },
          },
        },
      },
    };
    return { job: job.name, name, manifest, schedule };
  });
}
