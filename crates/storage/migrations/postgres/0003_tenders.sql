-- Tenders (案件) and what hangs off them before bids. `content` is the whole
-- TenderContent as JSON; the columns beside it copy what lists, filters and
-- the scheduler query, and are rewritten with it.
CREATE TABLE tenders (
    id                   BIGSERIAL PRIMARY KEY,
    buyer_id             BIGINT NOT NULL REFERENCES organizations (id),
    status               TEXT    NOT NULL,
    kind                 TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    method               TEXT    NOT NULL,
    title                TEXT    NOT NULL,
    prefecture           TEXT,
    submission_closes_at TIMESTAMPTZ NOT NULL,
    content              JSONB    NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1,
    next_transition_at   TIMESTAMPTZ,
    cancel_reason        TEXT,
    created_by           BIGINT NOT NULL REFERENCES users (id),
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    published_at         TIMESTAMPTZ
);
CREATE INDEX tenders_published ON tenders (published_at DESC, id DESC) WHERE published_at IS NOT NULL;
CREATE INDEX tenders_buyer ON tenders (buyer_id, updated_at DESC);
CREATE INDEX tenders_due ON tenders (next_transition_at) WHERE next_transition_at IS NOT NULL;
CREATE INDEX tenders_status ON tenders (status, published_at DESC);

CREATE TABLE tender_versions (
    tender_id  BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    content    JSONB    NOT NULL,
    reason     TEXT,
    changed_by BIGINT REFERENCES users (id),
    changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tender_id, version)
);

CREATE TABLE tender_transitions (
    tender_id   BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    seq         BIGINT NOT NULL,
    transition  TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    actor       BIGINT REFERENCES users (id),
    reason      TEXT,
    PRIMARY KEY (tender_id, seq)
);

CREATE TABLE tender_questions (
    id          BIGSERIAL PRIMARY KEY,
    tender_id   BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    asked_by    BIGINT NOT NULL REFERENCES users (id),
    asker_org   BIGINT NOT NULL REFERENCES organizations (id),
    question    TEXT    NOT NULL,
    asked_at    TIMESTAMPTZ NOT NULL,
    answer      TEXT,
    answered_by BIGINT REFERENCES users (id),
    answered_at TIMESTAMPTZ
);
CREATE INDEX tender_questions_tender ON tender_questions (tender_id, id);
CREATE INDEX tender_questions_org ON tender_questions (asker_org);

CREATE TABLE tender_applications (
    id          BIGSERIAL PRIMARY KEY,
    tender_id   BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    supplier_id BIGINT NOT NULL REFERENCES organizations (id),
    origin      TEXT    NOT NULL CHECK (origin IN ('application', 'nomination')),
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    decided_by  BIGINT REFERENCES users (id),
    decided_at  TIMESTAMPTZ,
    reason      TEXT,
    UNIQUE (tender_id, supplier_id)
);
CREATE INDEX tender_applications_supplier ON tender_applications (supplier_id);

CREATE TABLE tender_attachments (
    id            BIGSERIAL PRIMARY KEY,
    tender_id     BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT    NOT NULL,
    replaces      BIGINT REFERENCES tender_attachments (id),
    superseded_by BIGINT REFERENCES tender_attachments (id),
    uploaded_by   BIGINT NOT NULL REFERENCES users (id),
    uploaded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX tender_attachments_tender ON tender_attachments (tender_id, id);

CREATE TABLE tender_favourites (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tender_id  BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, tender_id)
);
CREATE INDEX tender_favourites_tender ON tender_favourites (tender_id);

-- Notification events, one row per recipient; delivery (mail, in-app) reads them.
CREATE TABLE notification_events (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    tender_id  BIGINT REFERENCES tenders (id) ON DELETE CASCADE,
    detail     JSONB    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notification_events_user ON notification_events (user_id, id DESC);
