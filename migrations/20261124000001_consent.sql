-- Consent end to end: the versions of each purpose's notice, which residents are enrolled
-- with which systems, every consent event (append-only), the current consent per resident
-- and purpose (derived from the events, updated in the same transaction), residents'
-- profiles, and the log of every agency decision.
--
-- Times of events are unix microseconds (`*_at_us`): several events can share a second.

-- What a resident was shown about a purpose. A register edit that changes a purpose's
-- text adds a version; consent events keep pointing at the version that was shown.
CREATE TABLE purpose_notices (
    purpose_id  TEXT NOT NULL REFERENCES purposes (id),
    version     BIGINT NOT NULL CHECK (version >= 1),
    legal_basis TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Space-separated data-category codes, as declared when the notice was shown.
    categories  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (purpose_id, version)
);

ALTER TABLE purposes ADD COLUMN notice_version BIGINT NOT NULL DEFAULT 1;

-- Every purpose already registered gets its first notice.
INSERT INTO purpose_notices (purpose_id, version, legal_basis, name, description, categories, created_at)
    SELECT id, 1, legal_basis, name, description, '', updated_at FROM purposes;
UPDATE purpose_notices SET categories = categories || ' ' || 'identity' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'identity');
UPDATE purpose_notices SET categories = categories || ' ' || 'contact' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'contact');
UPDATE purpose_notices SET categories = categories || ' ' || 'location' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'location');
UPDATE purpose_notices SET categories = categories || ' ' || 'images_video' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'images_video');
UPDATE purpose_notices SET categories = categories || ' ' || 'biometric' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'biometric');
UPDATE purpose_notices SET categories = categories || ' ' || 'health' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'health');
UPDATE purpose_notices SET categories = categories || ' ' || 'vehicle' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'vehicle');
UPDATE purpose_notices SET categories = categories || ' ' || 'financial' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'financial');
UPDATE purpose_notices SET categories = categories || ' ' || 'usage_behaviour' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'usage_behaviour');
UPDATE purpose_notices SET categories = categories || ' ' || 'device_network' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'device_network');
UPDATE purpose_notices SET categories = categories || ' ' || 'education' WHERE EXISTS (SELECT 1 FROM purpose_categories c WHERE c.purpose_id = purpose_notices.purpose_id AND c.category = 'education');
UPDATE purpose_notices SET categories = TRIM(categories);

-- Residents an agency has enrolled with one of its systems (fare card, permit, meter...).
CREATE TABLE enrollments (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    system_id  TEXT NOT NULL REFERENCES systems (id),
    -- The API client that recorded the enrolment; NULL when the operator loaded it.
    client_id  TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, system_id)
);
CREATE INDEX enrollments_system_idx ON enrollments (system_id);

-- Append-only: rows are inserted, never updated. The id is also the receipt id.
CREATE TABLE consent_events (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose_id     TEXT NOT NULL,
    notice_version BIGINT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('grant', 'withdraw')),
    channel        TEXT NOT NULL CHECK (channel IN ('web', 'assisted', 'api')),
    at_us          BIGINT NOT NULL,
    FOREIGN KEY (purpose_id, notice_version) REFERENCES purpose_notices (purpose_id, version)
);
CREATE INDEX consent_events_user_idx ON consent_events (user_id, at_us);

-- The latest event per resident and purpose, written in the event's transaction.
CREATE TABLE consents (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose_id TEXT NOT NULL REFERENCES purposes (id),
    state      TEXT NOT NULL CHECK (state IN ('given', 'withdrawn')),
    event_id   TEXT NOT NULL REFERENCES consent_events (id),
    at_us      BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose_id)
);

-- A resident's profile beside the name, email and language of sign-up; each field belongs
-- to a data category of the register (address: location; phone: contact; birth date: identity).
ALTER TABLE users ADD COLUMN postal_address TEXT;
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN date_of_birth TEXT;

-- The decision log: every agency consent check and data query, append-only, in the order of
-- `seq`. The head row hands out sequence numbers (and is where a hash chain's latest hash
-- will live): appending locks it, so entries are numbered without gaps across app servers.
CREATE TABLE decision_log_head (
    id  TEXT PRIMARY KEY CHECK (id = 'head'),
    seq BIGINT NOT NULL
);
INSERT INTO decision_log_head (id, seq) VALUES ('head', 0);

CREATE TABLE decision_log (
    seq         BIGINT PRIMARY KEY,
    -- The decision_id agencies receive.
    id          TEXT NOT NULL UNIQUE,
    request_id  TEXT NOT NULL,
    at_us       BIGINT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('check', 'query')),
    agency      TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    -- What the agency asked about, as it asked (a slug or key that may match nothing).
    subject     TEXT NOT NULL,
    system      TEXT NOT NULL,
    purpose     TEXT NOT NULL,
    -- The resident the subject named; NULL when it named nobody. No foreign key: the log
    -- outlives accounts.
    user_id     TEXT,
    decision    TEXT NOT NULL CHECK (decision IN ('permit', 'deny')),
    reason      TEXT NOT NULL,
    legal_basis TEXT
);
CREATE INDEX decision_log_user_idx ON decision_log (user_id, seq);
