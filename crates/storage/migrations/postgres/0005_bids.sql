-- Sealed bids (入札), their opening (開札), technical scores for 総合評価 and
-- awards (落札者決定). The store never sees a bid in the clear: `sealed` is
-- ciphertext under the tender's data key, kept here only wrapped by a master
-- key that never reaches the database. Bids, openings and awards are records
-- of the procurement: deleting their tender is refused, never cascaded.
CREATE TABLE tender_keys (
    tender_id     BIGINT PRIMARY KEY REFERENCES tenders (id),
    wrapped       BYTEA  NOT NULL,
    master_key_id TEXT   NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE bids (
    id              BIGSERIAL PRIMARY KEY,
    tender_id       BIGINT  NOT NULL REFERENCES tenders (id),
    round           INTEGER NOT NULL CHECK (round >= 1),
    bidder_org_id   BIGINT  NOT NULL REFERENCES organizations (id),
    submitted_by    BIGINT  NOT NULL REFERENCES users (id),
    received_at     TIMESTAMPTZ NOT NULL,
    commitment      TEXT    NOT NULL,
    sealed          BYTEA   NOT NULL,
    receipt         JSONB   NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('submitted', 'withdrawn')),
    withdrawn_at    TIMESTAMPTZ,
    withdraw_reason TEXT
);
-- One standing bid per bidder and round; withdrawn ones are kept beside it.
CREATE UNIQUE INDEX bids_one_submitted ON bids (tender_id, round, bidder_org_id) WHERE state = 'submitted';
-- The opening reads a round in receipt order.
CREATE INDEX bids_round ON bids (tender_id, round, received_at, id);
CREATE INDEX bids_bidder ON bids (bidder_org_id, tender_id);

-- What each opening revealed and decided, one record per round.
CREATE TABLE bid_openings (
    tender_id BIGINT  NOT NULL REFERENCES tenders (id),
    round     INTEGER NOT NULL,
    opened_at TIMESTAMPTZ NOT NULL,
    record    JSONB   NOT NULL,
    PRIMARY KEY (tender_id, round)
);

-- The scoring set-up of 総合評価 and proposals; no row means none yet.
CREATE TABLE tender_scoring (
    tender_id    BIGINT PRIMARY KEY REFERENCES tenders (id),
    price_points INTEGER,
    base_points  INTEGER,
    locked_at    TIMESTAMPTZ,
    locked_by    BIGINT REFERENCES users (id)
);

CREATE TABLE technical_scores (
    tender_id         BIGINT  NOT NULL REFERENCES tenders (id),
    bidder_org_id     BIGINT  NOT NULL REFERENCES organizations (id),
    points_hundredths INTEGER NOT NULL CHECK (points_hundredths >= 0),
    entered_by        BIGINT  NOT NULL REFERENCES users (id),
    entered_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tender_id, bidder_org_id)
);

CREATE TABLE awards (
    tender_id            BIGINT  PRIMARY KEY REFERENCES tenders (id),
    round                INTEGER NOT NULL,
    bid_id               BIGINT  NOT NULL REFERENCES bids (id),
    bidder_org_id        BIGINT  NOT NULL REFERENCES organizations (id),
    amount_tax_exclusive BIGINT,
    amount_tax_inclusive BIGINT,
    decided_by           BIGINT  NOT NULL REFERENCES users (id),
    decided_at           TIMESTAMPTZ NOT NULL
);
-- The awards database lists the latest decisions first.
CREATE INDEX awards_decided ON awards (decided_at DESC, tender_id DESC);
