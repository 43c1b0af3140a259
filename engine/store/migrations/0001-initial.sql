-- Runs, organism versions, cells and replicas, events and per-second metric rollups.
CREATE TABLE organism_versions (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,          -- file path it was loaded from, or 'api'
  spec TEXT NOT NULL,            -- the normalised manifest as JSON
  created_at INTEGER NOT NULL
);

CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('session', 'scenario')),
  name TEXT NOT NULL,
  organism_version INTEGER REFERENCES organism_versions(id),
  seed INTEGER,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  status TEXT NOT NULL DEFAULT 'running',
  result TEXT                    -- JSON report for scenario runs
);

CREATE TABLE cells (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  spawned_at INTEGER NOT NULL,
  removed_at INTEGER,
  PRIMARY KEY (run_id, name, spawned_at)
);

CREATE TABLE replicas (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  cell TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ready_at INTEGER,
  stopped_at INTEGER,
  reason TEXT,
  PRIMARY KEY (run_id, id)
);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,       -- JetStream stream sequence: redeliveries are ignored
  run_id INTEGER,
  time INTEGER NOT NULL,
  type TEXT NOT NULL,
  cell TEXT,
  data TEXT NOT NULL
);
CREATE INDEX events_run_time ON events (run_id, time);
CREATE INDEX events_type_time ON events (type, time);

CREATE TABLE metric_rollups (
  run_id INTEGER NOT NULL,
  scope TEXT NOT NULL,           -- route | cell | stream
  key TEXT NOT NULL,
  t INTEGER NOT NULL,            -- start of the interval, ms
  span INTEGER NOT NULL,         -- interval length, ms (1000 per-second, 60000 once compacted)
  count INTEGER NOT NULL,
  ok INTEGER NOT NULL,
  c4xx INTEGER NOT NULL,
  c5xx INTEGER NOT NULL,
  timeouts INTEGER NOT NULL,
  blocked INTEGER NOT NULL,
  p50 REAL NOT NULL,
  p95 REAL NOT NULL,
  p99 REAL NOT NULL,
  max REAL NOT NULL,
  utilization REAL,
  queue REAL,
  replicas INTEGER,
  hist TEXT,                     -- sparse histogram [bucket, count, ...] for exact window quantiles
  PRIMARY KEY (run_id, scope, key, t)
) WITHOUT ROWID;
CREATE INDEX metric_rollups_t ON metric_rollups (t);
