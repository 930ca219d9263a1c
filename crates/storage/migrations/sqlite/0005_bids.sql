-- Sealed bids (入札), their opening (開札), technical scores for 総合評価 and
-- awards (落札者決定). Times are UTC microseconds since the Unix epoch. The
-- store never sees a bid in the clear: `sealed` is ciphertext under the
-- tender's data key, kept here only wrapped by a master key that never
-- reaches the database. JSON (receipts, opening records) is stored as text.
-- Bids, openings and awards are records of the procurement: deleting their
-- tender is refused, never cascaded.
CREATE TABLE tender_keys (
    tender_id     INTEGER PRIMARY KEY REFERENCES tenders (id),
    wrapped       BLOB    NOT NULL,
    master_key_id TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE bids (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tender_id       INTEGER NOT NULL REFERENCES tenders (id),
    round           INTEGER NOT NULL CHECK (round >= 1),
    bidder_org_id   INTEGER NOT NULL REFERENCES organizations (id),
    submitted_by    INTEGER NOT NULL REFERENCES users (id),
    received_at     INTEGER NOT NULL,
    commitment      TEXT    NOT NULL,
    sealed          BLOB    NOT NULL,
    receipt         TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('submitted', 'withdrawn')),
    withdrawn_at    INTEGER,
    withdraw_reason TEXT
) STRICT;
-- One standing bid per bidder and round; withdrawn ones are kept beside it.
CREATE UNIQUE INDEX bids_one_submitted ON bids (tender_id, round, bidder_org_id) WHERE state = 'submitted';
-- The opening reads a round in receipt order.
CREATE INDEX bids_round ON bids (tender_id, round, received_at, id);
CREATE INDEX bids_bidder ON bids (bidder_org_id, tender_id);

-- What each opening revealed and decided, one record per round.
CREATE TABLE bid_openings (
    tender_id INTEGER NOT NULL REFERENCES tenders (id),
    round     INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    record    TEXT    NOT NULL,
    PRIMARY KEY (tender_id, round)
) STRICT;

-- The scoring set-up of 総合評価 and proposals; no row means none yet.
CREATE TABLE tender_scoring (
    tender_id    INTEGER PRIMARY KEY REFERENCES tenders (id),
    price_points INTEGER,
    base_points  INTEGER,
    locked_at    INTEGER,
    locked_by    INTEGER REFERENCES users (id)
) STRICT;

CREATE TABLE technical_scores (
    tender_id         INTEGER NOT NULL REFERENCES tenders (id),
    bidder_org_id     INTEGER NOT NULL REFERENCES organizations (id),
    points_hundredths INTEGER NOT NULL CHECK (points_hundredths >= 0),
    entered_by        INTEGER NOT NULL REFERENCES users (id),
    entered_at        INTEGER NOT NULL,
    PRIMARY KEY (tender_id, bidder_org_id)
) STRICT;

CREATE TABLE awards (
    tender_id            INTEGER PRIMARY KEY REFERENCES tenders (id),
    round                INTEGER NOT NULL,
    bid_id               INTEGER NOT NULL REFERENCES bids (id),
    bidder_org_id        INTEGER NOT NULL REFERENCES organizations (id),
    amount_tax_exclusive INTEGER,
    amount_tax_inclusive INTEGER,
    decided_by           INTEGER NOT NULL REFERENCES users (id),
    decided_at           INTEGER NOT NULL
) STRICT;
-- The awards database lists the latest decisions first.
CREATE INDEX awards_decided ON awards (decided_at DESC, tender_id DESC);
