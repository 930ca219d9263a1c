-- Coordinators (コーディネーター): tenders shared to a region's suppliers,
-- suppliers recommended to a tender's buyer, and introductions (紹介) with
-- their outcomes. Times are UTC microseconds; money is integer yen.
-- `region` is the supplier side's region when the row was written (the
-- share's target region; the recommended or introduced supplier's region):
-- the KPIs per region count by it.

CREATE TABLE coordination_shares (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    coordinator_id INTEGER NOT NULL REFERENCES users (id),
    tender_id      INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    region         TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX coordination_shares_tender ON coordination_shares (tender_id, id);
CREATE INDEX coordination_shares_coordinator ON coordination_shares (coordinator_id, id);

-- The suppliers a share was sent to.
CREATE TABLE coordination_share_recipients (
    share_id    INTEGER NOT NULL REFERENCES coordination_shares (id) ON DELETE CASCADE,
    supplier_id INTEGER NOT NULL REFERENCES organizations (id),
    PRIMARY KEY (share_id, supplier_id)
) STRICT;
CREATE INDEX coordination_share_recipients_supplier ON coordination_share_recipients (supplier_id);

-- One recommendation per tender and supplier, whoever made it.
CREATE TABLE coordination_recommendations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    coordinator_id INTEGER NOT NULL REFERENCES users (id),
    tender_id      INTEGER NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    supplier_id    INTEGER NOT NULL REFERENCES organizations (id),
    region         TEXT    NOT NULL,
    note           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (tender_id, supplier_id)
) STRICT;
CREATE INDEX coordination_recommendations_coordinator ON coordination_recommendations (coordinator_id, id);

-- introduced → meeting_held (商談) → won (受注) / lost; the amount only when won.
CREATE TABLE coordination_introductions (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    coordinator_id         INTEGER NOT NULL REFERENCES users (id),
    buyer_id               INTEGER NOT NULL REFERENCES organizations (id),
    supplier_id            INTEGER NOT NULL REFERENCES organizations (id),
    tender_id              INTEGER REFERENCES tenders (id) ON DELETE SET NULL,
    region                 TEXT,
    note                   TEXT    NOT NULL,
    status                 TEXT    NOT NULL CHECK (status IN ('introduced', 'meeting_held', 'won', 'lost')),
    -- The day of the 商談 (Japan date, YYYY-MM-DD).
    meeting_on             TEXT,
    -- 受注金額（税抜）, yen.
    contract_amount        INTEGER CHECK (contract_amount > 0),
    outcome_note           TEXT,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    CHECK ((status = 'won') = (contract_amount IS NOT NULL))
) STRICT;
CREATE INDEX coordination_introductions_coordinator ON coordination_introductions (coordinator_id, id);
