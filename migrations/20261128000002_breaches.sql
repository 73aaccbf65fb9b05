-- The breach register: incidents officers (or agencies, through the API) open, the 72-hour
-- clock to the regulator (GDPR Art. 33), the residents told (Art. 34), and, once closed, a
-- public summary on /breaches.
CREATE TABLE breaches (
    id                 TEXT PRIMARY KEY,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    detected_at_us     BIGINT NOT NULL,
    window_start_us    BIGINT NOT NULL,
    window_end_us      BIGINT NOT NULL,
    -- JSON lists: the systems' slugs and the data categories' codes.
    systems            TEXT NOT NULL,
    data_categories    TEXT NOT NULL,
    containment        TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'decided', 'residents_notified', 'closed')),
    -- 'officer:<user id>' or 'client:<client id>'.
    opened_by          TEXT NOT NULL,
    -- The agency that reported it through the API, if one did.
    agency_slug        TEXT,
    regulator_decision TEXT CHECK (regulator_decision IN ('notify', 'not_notify')),
    regulator_reasons  TEXT,
    decided_at_us      BIGINT,
    consequences       TEXT,
    measures           TEXT,
    records_estimate   BIGINT,
    -- The count of affected residents the officer confirmed when notifying them.
    affected_count     BIGINT,
    notified_at_us     BIGINT,
    public_summary     TEXT,
    closed_at_us       BIGINT,
    created_at_us      BIGINT NOT NULL
);
CREATE INDEX breaches_status_idx ON breaches (status, detected_at_us);

-- Each affected resident's notice (the breach card on /my), written in the notifying
-- transaction.
CREATE TABLE breach_notices (
    breach_id     TEXT NOT NULL REFERENCES breaches (id),
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (breach_id, user_id)
);
CREATE INDEX breach_notices_user_idx ON breach_notices (user_id, created_at_us);
