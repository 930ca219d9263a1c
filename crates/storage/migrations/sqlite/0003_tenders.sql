-- Tenders (案件) and what hangs off them before bids. Times are UTC
-- microseconds since the Unix epoch. `content` is the whole TenderContent as
-- JSON; the columns beside it copy what lists, filters and the scheduler
-- query, and are rewritten with it.
CREATE TABLE tenders (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    buyer_id             INTEGER NOT NULL REFERENCES organizations (id),
    status               TEXT    NOT NULL,
    kind                 TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    method               TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    prefecture           TEXT,
    submission_closes_at INTEGER NOT NULL,
    content              TEXT    NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    next_transition_at   INTEGER,
    cancel_reason        TEXT,
    created_by           INTEGER NOT NULL REFERENCES users (id),
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    published_at         INTEGER
) STRICT;
CREATE INDEX tenders_published ON tenders (published_at DESC, id DESC) WHERE published_at IS NOT NULL;
CREATE INDEX tenders_buyer ON tenders (buyer_id, updated_at DESC);
CREATE INDEX tenders_due ON tenders (next_transition_at) WHERE next_transition_at IS NOT NULL;
CREATE INDEX tenders_status ON tenders (status, published_at DESC);

CREATE TABLE tender_versions (
    tender_id  INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    content    TEXT    NOT NULL,
    reason     TEXT,
    changed_by INTEGER REFERENCES users (id),
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (tender_id, version)
) STRICT;

CREATE TABLE tender_transitions (
    tender_id   INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    transition  TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    actor       INTEGER REFERENCES users (id),
    reason      TEXT,
    PRIMARY KEY (tender_id, seq)
) STRICT;

CREATE TABLE tender_questions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id   INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    asked_by    INTEGER NOT NULL REFERENCES users (id),
    asker_org   INTEGER NOT NULL REFERENCES organizations (id),
    question    TEXT    NOT NULL,
    asked_at    INTEGER NOT NULL,
    answer      TEXT,
    answered_by INTEGER REFERENCES users (id),
    answered_at INTEGER
) STRICT;
CREATE INDEX tender_questions_tender ON tender_questions (tender_id, id);
CREATE INDEX tender_questions_org ON tender_questions (asker_org);

CREATE TABLE tender_applications (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id   INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    supplier_id INTEGER NOT NULL REFERENCES organizations (id),
    origin      TEXT    NOT NULL CHECK (origin IN ('application', 'nomination')),
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    decided_by  INTEGER REFERENCES users (id),
    decided_at  INTEGER,
    reason      TEXT,
    UNIQUE (tender_id, supplier_id)
) STRICT;
CREATE INDEX tender_applications_supplier ON tender_applications (supplier_id);

CREATE TABLE tender_attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id     INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    sha256        TEXT    NOT NULL,
    replaces      INTEGER REFERENCES tender_attachments (id),
    superseded_by INTEGER REFERENCES tender_attachments (id),
    uploaded_by   INTEGER NOT NULL REFERENCES users (id),
    uploaded_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX tender_attachments_tender ON tender_attachments (tender_id, id);

CREATE TABLE tender_favourites (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tender_id  INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, tender_id)
) STRICT;
CREATE INDEX tender_favourites_tender ON tender_favourites (tender_id);

-- Notification events, one row per recipient; delivery (mail, in-app) reads them.
CREATE TABLE notification_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    tender_id  INTEGER REFERENCES tenders (id) ON DELETE CASCADE,
    detail     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX notification_events_user ON notification_events (user_id, id DESC);
