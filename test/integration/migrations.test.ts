import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { listMigrations, migrate, openDb } from '../../engine/store/index.ts';
import { tempDir } from '../helpers/tmp.ts';

const EXPECTED_OBJECTS: Record<number, string[]> = {
  1: ['organism_versions', 'runs', 'cells', 'replicas', 'events', 'metric_rollups', 'events_run_time', 'events_type_time'],
  2: ['faults', 'faults_active'],
  3: ['signal_history', 'signal_history_at'],
  4: ['quarantines', 'quarantines_active', 'incidents', 'incidents_run', 'immune_memory'],
  5: ['recycling_runs', 'recycling_runs_job'],
};

function objects(db: ReturnType<typeof openDb>): Set<string> {
  return new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>).map(
      (r) => r.name,
    ),
  );
}

test('migrations are numbered without gaps, each has an expectation here', () => {
  const versions = listMigrations().map((m) => m.version);
  assert.deepEqual(
    versions,
    versions.map((_, i) => i + 1),
  );
  for (const v of versions) assert.ok(EXPECTED_OBJECTS[v], `add the objects of migration ${v} to this test`);
});

for (const m of listMigrations()) {
  test(`migration ${m.name} applies on top of the previous ones and creates its objects`, () => {
    using dir = tempDir();
    const db = openDb(join(dir.path, 'petri.db'), { migrate: false });
    try {
      migrate(db, m.version - 1);
      const before = objects(db);
      assert.deepEqual(migrate(db, m.version), [m.version]);
      const created = [...objects(db)].filter((o) => !before.has(o));
      for (const name of EXPECTED_OBJECTS[m.version] ?? []) assert.ok(created.includes(name), `${m.name} should create ${name}`);
      assert.equal(db.pragma('user_version', { simple: true }), m.version);
      migrate(db); // the later migrations, if any
      assert.deepEqual(migrate(db), [], 'migrating twice is a no-op');
    } finally {
      db.close();
    }
  });
}

test('the database runs in WAL mode with incremental auto-vacuum', () => {
  using dir = tempDir();
  const db = openDb(join(dir.path, 'petri.db'));
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('auto_vacuum', { simple: true }), 2);
  } finally {
    db.close();
  }
});
