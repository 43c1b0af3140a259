import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments, stringify } from 'yaml';
import { parseOrganism } from '../organism/index.ts';
import { cronJobManifests, cronJobName, kubernetesSchedule } from './export.ts';

const ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: shop }
cells:
  - name: catalog
    operations: [ { name: list, latency: { p50: 1ms, p99: 3ms } } ]
recycling:
  - { name: event-retention, schedule: "*/30 * * * * *", action: prune-events, olderThan: 10m }
  - { name: nightly-vacuum, schedule: "0 3 * * *", action: vacuum, paused: true }
  - { name: logs, schedule: "15 */5 * * * *", action: rotate-logs, maxSize: 1000000, keep: 3 }
`;

/** The parts of a CronJob manifest the test reads back. */
interface CronJobDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations: Record<string, string | undefined> };
  spec: {
    schedule: string;
    timeZone?: string;
    concurrencyPolicy: string;
    suspend: boolean;
    successfulJobsHistoryLimit: number;
    failedJobsHistoryLimit: number;
    jobTemplate: {
      spec: {
        template: {
          spec: {
            restartPolicy: string;
            containers: Array<{ command: string[]; args: string[]; image: string; env: unknown[] }>;
          };
        };
      };
    };
  };
}

test('schedules lose their seconds field, and say when that changes what runs', () => {
  assert.deepEqual(kubernetesSchedule('0 3 * * *'), { schedule: '0 3 * * *', exact: true });
  assert.deepEqual(kubernetesSchedule('0 */5 * * * *'), { schedule: '*/5 * * * *', exact: true });
  assert.deepEqual(kubernetesSchedule('@daily'), { schedule: '0 0 * * *', exact: true });
  const sub = kubernetesSchedule('*/30 * * * * *');
  assert.equal(sub.schedule, '* * * * *');
  assert.equal(sub.exact, false);
  assert.match(
    sub.note!,
    /at most once a minute: the seconds field '\*\/30' was dropped, so this runs every minute instead of every 30 seconds/,
  );
  const offset = kubernetesSchedule('15 */5 * * * *');
  assert.deepEqual([offset.schedule, offset.exact], ['*/5 * * * *', false]);
  assert.match(offset.note!, /second 0 instead of second 15/);
  assert.equal(kubernetesSchedule('0 0 L * *').exact, false);
});

test('each job becomes a batch/v1 CronJob that parses back with the mapped fields', () => {
  const { spec } = parseOrganism(ORGANISM, 'shop.yaml');
  const exported = cronJobManifests(spec, {
    image: 'ghcr.io/acme/petri:1',
    api: 'http://petri.tools:4710',
    timeZone: 'Europe/Paris',
  });
  const docs = parseAllDocuments(exported.map((e) => stringify(e.manifest)).join('---\n')).map((d) => d.toJS() as CronJobDoc);
  assert.equal(docs.length, 3);
  const [retention, vacuum, logs] = docs as [CronJobDoc, CronJobDoc, CronJobDoc];
  assert.equal(retention.apiVersion, 'batch/v1');
  assert.equal(retention.kind, 'CronJob');
  assert.equal(retention.metadata.name, 'shop-event-retention');
  assert.equal(retention.metadata.annotations['petri.dev/schedule'], '*/30 * * * * *');
  assert.equal(retention.metadata.annotations['petri.dev/older-than'], '10m');
  assert.match(retention.metadata.annotations['petri.dev/schedule-note'] ?? '', /once a minute/);
  assert.equal(retention.spec.schedule, '* * * * *');
  assert.equal(retention.spec.timeZone, 'Europe/Paris');
  assert.equal(retention.spec.concurrencyPolicy, 'Forbid');
  assert.equal(retention.spec.suspend, false);
  assert.equal(retention.spec.successfulJobsHistoryLimit, 3);
  assert.equal(retention.spec.failedJobsHistoryLimit, 1);
  const pod = retention.spec.jobTemplate.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Never');
  const container = pod.containers[0]!;
  assert.deepEqual(container.command, ['petri']);
  assert.deepEqual(container.args, ['recycle', 'event-retention']);
  assert.equal(container.image, 'ghcr.io/acme/petri:1');
  assert.deepEqual(container.env, [
    { name: 'PETRI_API', value: 'http://petri.tools:4710' },
    { name: 'PETRI_TOKEN', valueFrom: { secretKeyRef: { name: 'petri-api', key: 'token' } } },
  ]);
  assert.equal(vacuum.spec.schedule, '0 3 * * *');
  assert.equal(vacuum.spec.suspend, true, 'a paused job is a suspended CronJob');
  assert.equal(vacuum.metadata.annotations['petri.dev/schedule-note'], undefined);
  assert.equal(logs.metadata.annotations['petri.dev/keep'], '3');
});

test('CronJob names are DNS labels of at most 52 characters', () => {
  assert.equal(cronJobName('shop', 'event-retention'), 'shop-event-retention');
  const long = cronJobName('a-very-long-organism-name-indeed', 'and-an-equally-long-job-name-here');
  assert.ok(long.length <= 52, long);
  assert.match(long, /^[a-z0-9-]+$/);
  assert.notEqual(long, cronJobName('a-very-long-organism-name-indeed', 'and-an-equally-long-job-name-herf'));
});
