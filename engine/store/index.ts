/** SQLite storage: migrations, repositories and the JetStream → SQLite event persister. */
export { openDb, migrate, listMigrations, type Db, type Migration } from './db.ts';
export { EventsRepo, type EventQuery } from './events-repo.ts';
export { MetricsRepo, type RollupRow, type RollupQuery } from './metrics-repo.ts';
export { RunsRepo } from './runs-repo.ts';
export { EventPersister, EventBatch, type PersisterOptions } from './persister.ts';
export { readEnvelope, type Envelope } from './envelope.ts';
export { lockDataDir } from './lock.ts';
export {
  JobRunsRepo,
  type JobRunRow,
  type JobRunStart,
  type JobRunEnd,
  type JobTotals,
  type JobOutcome,
} from './job-runs-repo.ts';
export * as retention from './retention.ts';
