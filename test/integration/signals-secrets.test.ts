import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Kvm } from '@nats-io/kv';
import { SIGNALS_BUCKET } from '../../engine/bus/index.ts';
import { eventually, startEngine } from '../helpers/engine.ts';
import { http } from '../helpers/http.ts';
import { SIGNALS_ORGANISM } from '../helpers/signals.ts';

const DECLARED = 'initial-pass-0001'; // in the manifest
const ROTATED = 'rotated-S3cret-value-42'; // set through the API
const EXTERNAL = 'external-S3cret-77'; // written into KV by another tool

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('a secret signal never appears in events, SQLite, the engine log, API answers or exports', async () => {
  // No test logger: the engine writes its real log file (with the redactor in front of it).
  await using t = await startEngine({ yaml: SIGNALS_ORGANISM, api: true, logger: undefined });
  const api = t.api!;
  const e = t.engine;

  const changed = await api.setSignal('db.password', ROTATED, { author: 'ui' });
  assert.equal(changed.value, '••••••');
  const nc = await connect({ servers: e.bus.servers });
  try {
    await (await new Kvm(nc).open(SIGNALS_BUCKET)).put('db.password', JSON.stringify(EXTERNAL));
  } finally {
    await nc.close();
  }
  assert.ok(await eventually(async () => (await api.signal('db.password')).author === 'external'));
  // Other domains leak it into their own events and log lines: the safety net masks them.
  e.events.emit('fault.injected', { header: `Authorization: Basic ${ROTATED}`, nested: [{ v: EXTERNAL }] });
  e.logger.warn('a domain logged a secret', { password: ROTATED, url: `postgres://u:${EXTERNAL}@db` });
  e.logger.info(`plain text ${DECLARED}`);
  // Refused writes of a secret are masked too.
  await api.changeSignal('db.password', { value: 42 as unknown as string }).catch(() => {});

  // Everything the API answers.
  const answers: string[] = [];
  const get = async (path: string) => {
    const r = await http(`${api.base}${path}`, { headers: { authorization: `Bearer ${api.token}` } });
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    answers.push(r.body);
  };
  await e.events.flush();
  await eventually(async () => (await api.events({ type: ['fault.injected'] })).events.length > 0);
  for (const p of [
    '/api/signals',
    '/api/signals/db.password',
    '/api/signals/db.password/history',
    '/api/signals/propagation',
    '/api/signals/export?format=env',
    '/api/signals/export?format=flagd',
    '/api/events?limit=10000',
    '/api/organism',
    '/api/runs',
  ])
    await get(p);
  const evaluation = await api.evaluateSignal('db.password', { targetingKey: 'u' });
  answers.push(JSON.stringify(evaluation));
  const history = await api.signalHistory('db.password');
  assert.deepEqual(
    history.entries.map((h) => [h.author, h.value]),
    [
      ['external', '••••••'],
      ['ui', '••••••'],
      ['organism', '••••••'],
    ],
  );
  assert.equal(history.entries[1]!.canRollback, true, 'its value is still in KV history');
  const back = await api.rollbackSignal('db.password', changed.revision);
  assert.equal(back.value, '••••••');
  assert.equal(e.signals.value('db.password'), ROTATED, 'the rollback restored the real value');

  await e.stop();
  const sqlite = ['petri.db', 'petri.db-wal'].map((f) => join(t.dataDir, f)).filter(existsSync);
  const eventStream = filesUnder(join(t.dataDir, 'nats', 'jetstream')).filter((f) => f.includes('PETRI_EVENTS'));
  const log = join(t.dataDir, 'logs', 'engine.log');
  assert.ok(readFileSync(log, 'utf8').includes('a domain logged a secret'), 'the log file was written');
  assert.ok(eventStream.length > 0, 'the events stream is on disk');
  const places: Array<[string, string]> = [
    ...sqlite.map((f) => [f, readFileSync(f).toString('latin1')] as [string, string]),
    ...eventStream.map((f) => [f, readFileSync(f).toString('latin1')] as [string, string]),
    [log, readFileSync(log, 'utf8')],
    ...answers.map((a, i) => [`answer ${i}`, a] as [string, string]),
  ];
  for (const [where, text] of places)
    for (const secret of [DECLARED, ROTATED, EXTERNAL]) assert.ok(!text.includes(secret), `${secret} found in ${where}`);
  // …and the masked forms are there, so the places were really searched.
  assert.ok(readFileSync(log, 'utf8').includes('Basic ••••••') || readFileSync(log, 'utf8').includes('postgres://u:••••••@db'));
  assert.ok(
    answers.some((a) => a.includes('Authorization: Basic ••••••')),
    'the leaked event is there, masked',
  );
});
