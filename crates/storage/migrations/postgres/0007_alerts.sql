-- Alerts: saved searches (検索条件の保存) with instant or daily alerts, the
-- tenders each has already alerted about, read state of notifications and
-- each person's mail setting for them.

ALTER TABLE notification_events ADD COLUMN read_at TIMESTAMPTZ;
CREATE INDEX notification_events_unread ON notification_events (user_id) WHERE read_at IS NULL;

-- Mail for notification events (訂正, 中止, 開札結果, 落札 …): on unless the
-- person turned it off (one-click unsubscribe does).
ALTER TABLE users ADD COLUMN event_mail BOOLEAN NOT NULL DEFAULT TRUE;

CREATE TABLE saved_searches (
    id             BIGSERIAL PRIMARY KEY,
    user_id        BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    -- The search as the tender list's query string (q=…&prefecture=…), and
    -- as parsed (JSON): what alerts match new tenders against.
    query          TEXT    NOT NULL,
    criteria       TEXT    NOT NULL,
    -- 'instant': one alert per matching tender as it is published;
    -- 'daily': one digest a day; 'none': kept, no alerts.
    frequency      TEXT    NOT NULL CHECK (frequency IN ('instant', 'daily', 'none')),
    email          BOOLEAN NOT NULL,
    -- Raised by every change: with the count and the highest id, a
    -- fingerprint of all saved searches that needs no clock.
    revision       BIGINT  NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX saved_searches_user ON saved_searches (user_id, id);

-- One row per (saved search, tender) found: a tender alerts once. A daily
-- search's hits wait for the digest (digested_at NULL until it is recorded).
CREATE TABLE saved_search_hits (
    saved_search_id BIGINT NOT NULL REFERENCES saved_searches (id) ON DELETE CASCADE,
    tender_id       BIGINT NOT NULL REFERENCES tenders (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    digested_at     TIMESTAMPTZ,
    PRIMARY KEY (saved_search_id, tender_id)
);
CREATE INDEX saved_search_hits_tender ON saved_search_hits (tender_id);
CREATE INDEX saved_search_hits_pending ON saved_search_hits (saved_search_id) WHERE digested_at IS NULL;
