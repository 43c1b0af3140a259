import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rootPath } from '../util/paths.ts';

/** The SQLite handle type used across the store. */
export type Db = Database.Database;

const MIGRATIONS_DIR = rootPath('engine', 'store', 'migrations');

/** A numbered migration file, `0003-scaling-events.sql`. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** All migrations shipped with the engine, in order. */
export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

/**
 * Applies migrations newer than the file's `user_version`, each in its own transaction, up to
 * `target` (all by default). Returns the versions applied.
 */
export function migrate(db: Db, target = Infinity, migrations = listMigrations()): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  const applied: number[] = [];
  for (const m of migrations) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return applied;
}

/** Opens (creating if needed) the data dir's SQLite file in WAL mode and migrates it. */
export function openDb(file: string, options: { migrate?: boolean } = {}): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // Must precede the first table: lets the recycling `vacuum` job return free pages to the OS.
  db.pragma('auto_vacuum = INCREMENTAL');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (options.migrate !== false) migrate(db);
  return db;
}
