-- The immune system: quarantines, incidents, and the memory of contained offenders.
CREATE TABLE quarantines (
  id TEXT PRIMARY KEY,
  run_id INTEGER,
  client TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  until INTEGER NOT NULL,
  released_at INTEGER,
  release_reason TEXT
);
CREATE INDEX quarantines_active ON quarantines (released_at, until);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  run_id INTEGER,
  kind TEXT NOT NULL,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  clients TEXT NOT NULL,      -- JSON array of client addresses
  routes TEXT NOT NULL,       -- JSON array
  decisions INTEGER NOT NULL,
  evidence TEXT NOT NULL      -- JSON: the first decisions' evidence
);
CREATE INDEX incidents_run ON incidents (run_id, opened_at);

CREATE TABLE immune_memory (
  fingerprint TEXT PRIMARY KEY,
  client TEXT NOT NULL,
  kind TEXT NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  times INTEGER NOT NULL
);
