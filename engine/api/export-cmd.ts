/**
 * `petri export cronjobs` (recycling jobs as Kubernetes CronJobs) and `petri recycle JOB` (what
 * those CronJobs run: one job, now, on a Petri engine reached through its control API).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { loadOrganismFile } from '../organism/index.ts';
import { cronJobManifests } from '../recycling/index.ts';
import { ApiError } from './client.ts';
import { remoteClient } from './remote.ts';
import { parseFlags, UsageError } from './usage.ts';

/** Where the command writes. */
export interface CommandIo {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const std: CommandIo = { out: process.stdout, err: process.stderr };

/** `petri export cronjobs [--organism FILE] [--out DIR|-] [--image IMG] [--api URL] [--namespace NS] [--time-zone TZ]`. */
export async function exportCommand(args: string[], defaultOrganism: string, io: CommandIo = std): Promise<number> {
  const [what, ...rest] = args;
  if (what !== 'cronjobs') throw new UsageError(`petri export: unknown target '${what ?? ''}'; try 'petri export cronjobs'`);
  const { values } = parseFlags(
    rest,
    {
      organism: { type: 'string' },
      out: { type: 'string' },
      image: { type: 'string' },
      api: { type: 'string' },
      namespace: { type: 'string' },
      'time-zone': { type: 'string' },
    },
    false,
  );
  const v = values;
  const organism = await loadOrganismFile(resolve(v.organism ?? defaultOrganism));
  const jobs = cronJobManifests(organism.spec, {
    image: v.image,
    api: v.api,
    namespace: v.namespace,
    timeZone: v['time-zone'],
  });
  for (const j of jobs) if (j.schedule.note) io.err.write(`petri export: ${j.job}: ${j.schedule.note}\n`);
  const header = `# ${organism.spec.name}: recycling job as a Kubernetes CronJob, written by \`petri export cronjobs\`\n`;
  const out = v.out ?? '-';
  if (out === '-') {
    io.out.write(jobs.map((j) => header + stringify(j.manifest)).join('---\n'));
    return 0;
  }
  await mkdir(out, { recursive: true });
  for (const j of jobs) {
    const file = join(out, `${j.name}.cronjob.yaml`);
    await writeFile(file, header + stringify(j.manifest));
    io.out.write(`${file}\n`);
  }
  if (jobs.length === 0) io.err.write(`petri export: organism '${organism.spec.name}' has no recycling jobs\n`);
  return 0;
}

/** `petri recycle JOB [--api URL --token T | --data DIR] [--no-wait]`: runs a job now on a running engine. */
export async function recycleCommand(args: string[], io: CommandIo = std): Promise<number> {
  const { values, positionals } = parseFlags(
    args,
    { api: { type: 'string' }, token: { type: 'string' }, data: { type: 'string' }, 'no-wait': { type: 'boolean' } },
    true,
  );
  const job = positionals[0];
  if (!job || positionals.length > 1) throw new UsageError('petri recycle: give exactly one job name');
  const client = remoteClient(values);
  try {
    const run = await client.runJob(job, !values['no-wait']);
    io.out.write(`${JSON.stringify(run)}\n`);
    return run.outcome === 'failed' || run.outcome === 'aborted' ? 1 : 0;
  } catch (err) {
    // Kubernetes' Forbid policy skips quietly when a run is still going; so does this.
    if (err instanceof ApiError && err.status === 409) {
      io.err.write(`petri recycle: ${job} skipped: ${err.message}\n`);
      return 0;
    }
    throw err;
  }
}
