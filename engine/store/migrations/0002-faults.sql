-- Active and past faults: an engine that crashed clears the leftovers on its next start.
CREATE TABLE faults (
  id TEXT NOT NULL,
  run_id INTEGER,
  kind TEXT NOT NULL,
  spec TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ends_at INTEGER,
  cleared_at INTEGER,
  reason TEXT,
  PRIMARY KEY (id, started_at)
);
CREATE INDEX faults_active ON faults (cleared_at);
