-- One row per recycling job run (and per skipped start): the history behind GET /api/jobs/:name/runs.
CREATE TABLE recycling_runs (
  id INTEGER PRIMARY KEY,
  organism TEXT NOT NULL,        -- organism name: history survives restarts of the same organism
  run_id INTEGER,                -- the engine run (session or scenario) it happened in
  job TEXT NOT NULL,
  action TEXT NOT NULL,
  trigger TEXT NOT NULL CHECK (trigger IN ('schedule', 'manual')),
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  outcome TEXT NOT NULL DEFAULT 'running'
    CHECK (outcome IN ('running', 'ok', 'noop', 'failed', 'aborted', 'skipped')),
  rows INTEGER NOT NULL DEFAULT 0,   -- rows, messages, keys, files or replicas freed
  bytes INTEGER NOT NULL DEFAULT 0,  -- bytes freed
  error TEXT,
  reason TEXT,                   -- why a run was a no-op or skipped
  details TEXT                   -- action-specific JSON
);
CREATE INDEX recycling_runs_job ON recycling_runs (organism, job, id);
