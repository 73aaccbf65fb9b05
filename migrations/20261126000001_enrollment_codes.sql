-- Enrollment needs the resident. An agency issues a one-time code and gives it to the
-- resident (on a card, a letter); only the resident entering it, or an officer entering it
-- for them at a counter, creates a row in `enrollments`. Every confirmation and ending is
-- appended to `enrollment_events`, which the resident reads in their access log.

CREATE TABLE enrollment_codes (
    -- SHA-256 (hex) of the code: until it is used, a code is a bearer secret.
    digest          TEXT PRIMARY KEY,
    system_id       TEXT NOT NULL REFERENCES systems (id),
    -- The API client that issued it.
    client_id       TEXT NOT NULL,
    created_at_us   BIGINT NOT NULL,
    expires_at_us   BIGINT NOT NULL,
    -- Who entered it, and when; NULL while it is pending.
    user_id         TEXT REFERENCES users (id) ON DELETE SET NULL,
    confirmed_at_us BIGINT
);
CREATE INDEX enrollment_codes_client_idx ON enrollment_codes (client_id, created_at_us);

-- Append-only: rows are inserted, never updated.
CREATE TABLE enrollment_events (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    system_id       TEXT NOT NULL REFERENCES systems (id),
    action          TEXT NOT NULL CHECK (action IN ('confirmed', 'ended')),
    channel         TEXT NOT NULL CHECK (channel IN ('web', 'assisted', 'api', 'import')),
    -- Who acted for the agency (its API client) or the city (the officer's user id), if anyone.
    actor           TEXT,
    -- For a confirmation: when the agency issued the code.
    requested_at_us BIGINT,
    at_us           BIGINT NOT NULL
);
CREATE INDEX enrollment_events_user_idx ON enrollment_events (user_id, at_us);

-- Enrollments an agency recorded through the API before this change were never confirmed by
-- the resident: they end now, and the history says so. Those the operator loaded are kept
-- and recorded as imported.
INSERT INTO enrollment_events (id, user_id, system_id, action, channel, actor, requested_at_us, at_us)
    SELECT 'import-' || user_id || '-' || system_id, user_id, system_id, 'confirmed', 'import', NULL, NULL,
           created_at * 1000000
    FROM enrollments WHERE client_id IS NULL;
INSERT INTO enrollment_events (id, user_id, system_id, action, channel, actor, requested_at_us, at_us)
    SELECT 'unconfirmed-' || user_id || '-' || system_id, user_id, system_id, 'ended', 'api', client_id, NULL,
           created_at * 1000000
    FROM enrollments WHERE client_id IS NOT NULL;
DELETE FROM enrollments WHERE client_id IS NOT NULL;
