-- The outbox: jobs written in the same transaction as the change that causes
-- them, and the ledger of every attempt.
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT        NOT NULL,
    payload      JSONB       NOT NULL,
    status       TEXT        NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER     NOT NULL DEFAULT 0,
    max_attempts INTEGER     NOT NULL CHECK (max_attempts >= 1),
    run_at       TIMESTAMPTZ NOT NULL,
    dedupe_key   TEXT        UNIQUE,
    locked_by    TEXT,
    lease_token  TEXT,
    locked_until TIMESTAMPTZ,
    last_error   TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);

-- Only unfinished jobs are ever scanned by the claim.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status IN ('queued', 'running');

CREATE TABLE job_runs (
    id          BIGSERIAL PRIMARY KEY,
    job_id      BIGINT      NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt     INTEGER     NOT NULL,
    worker      TEXT        NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    outcome     TEXT CHECK (outcome IN ('succeeded', 'failed', 'abandoned')),
    error       TEXT,
    UNIQUE (job_id, attempt)
);
