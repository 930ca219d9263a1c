-- The outbox: jobs written in the same transaction as the change that causes
-- them, and the ledger of every attempt. Times are UTC microseconds since the
-- Unix epoch (INTEGER compares correctly; text timestamps would not).
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL CHECK (json_valid(payload)),
    status       TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_at       INTEGER NOT NULL,
    dedupe_key   TEXT    UNIQUE,
    locked_by    TEXT,
    lease_token  TEXT,
    locked_until INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
) STRICT;

-- Only unfinished jobs are ever scanned by the claim.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status IN ('queued', 'running');

CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id      INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    worker      TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT CHECK (outcome IN ('succeeded', 'failed', 'abandoned')),
    error       TEXT,
    UNIQUE (job_id, attempt)
) STRICT;
