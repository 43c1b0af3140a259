-- Every signal change (and every refused write) with its KV revision, author and time, kept
-- beyond the KV bucket's 64 revisions per key. Values of secret signals are never stored here.
CREATE TABLE signal_history (
  key TEXT NOT NULL,
  revision INTEGER NOT NULL,     -- KV revision (the bucket stream's sequence)
  run_id INTEGER,
  value TEXT,                    -- JSON of the value; NULL for secrets and unreadable writes
  wire TEXT,                     -- JSON of the live typing at that revision (rollout, targeting)
  author TEXT NOT NULL,
  at INTEGER NOT NULL,           -- time of the change, ms
  note TEXT,
  secret INTEGER NOT NULL DEFAULT 0,
  refused TEXT,                  -- why the write was refused; NULL when it was applied
  subscribers INTEGER,           -- propagation: subscribers expected,
  applied INTEGER,               --   subscribers that applied it,
  p50_ms REAL,                   --   median and slowest delay
  max_ms REAL,
  PRIMARY KEY (key, revision)
) WITHOUT ROWID;
CREATE INDEX signal_history_at ON signal_history (at);
