-- Privacy requests (data-subject rights): the request, one task per system it concerns
-- (addressed to the agency that runs the system), and the request's timeline.
--
-- Dates of the legal clock are calendar days, 'YYYY-MM-DD'. The due date is computed by
-- the application (app::domain::requests::DeadlinePolicy::due) and stored for sorting.

CREATE TABLE privacy_requests (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN (
                      'access', 'rectification', 'erasure', 'restriction', 'portability',
                      'objection')),
    status        TEXT NOT NULL CHECK (status IN (
                      'received', 'identity_check', 'in_progress', 'extended', 'fulfilled',
                      'rejected', 'withdrawn')),
    channel       TEXT NOT NULL CHECK (channel IN ('web', 'assisted')),
    details       TEXT NOT NULL,
    -- An objection names the purpose objected to.
    purpose_id    TEXT REFERENCES purposes (id),
    policy        TEXT NOT NULL CHECK (policy IN ('gdpr', 'ccpa')),
    received_on   TEXT NOT NULL,
    -- Whole days the clock was paused while waiting for the resident, and since when it is
    -- paused now (NULL when it runs).
    paused_days   BIGINT NOT NULL DEFAULT 0,
    paused_since  TEXT,
    extended      BIGINT NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    due_on        TEXT NOT NULL,
    closed_on     TEXT,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    CHECK ((kind = 'objection') = (purpose_id IS NOT NULL))
);
CREATE INDEX privacy_requests_user_idx ON privacy_requests (user_id, created_at_us);
CREATE INDEX privacy_requests_due_idx ON privacy_requests (status, due_on);

-- What one agency must do for one system; open while `outcome` is NULL.
CREATE TABLE request_tasks (
    id              TEXT PRIMARY KEY,
    request_id      TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    system_id       TEXT NOT NULL REFERENCES systems (id),
    agency_id       TEXT NOT NULL REFERENCES agencies (id),
    outcome         TEXT CHECK (outcome IN ('done', 'no_data', 'refused')),
    note            TEXT,
    -- What the system holds on the resident (JSON), for access and portability.
    data            TEXT,
    -- 'client:<client_id>' when the agency closed it through the API,
    -- 'officer:<user id>' when an officer closed it on the agency's behalf.
    completed_by    TEXT,
    completed_at_us BIGINT,
    UNIQUE (request_id, system_id)
);
CREATE INDEX request_tasks_agency_idx ON request_tasks (agency_id, outcome);

-- The timeline: every status a request took, when, why and by whom. Append-only.
CREATE TABLE request_events (
    id         TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    at_us      BIGINT NOT NULL,
    status     TEXT NOT NULL,
    reason     TEXT,
    -- 'resident', 'officer:<user id>' or 'client:<client_id>'.
    actor      TEXT NOT NULL
);
CREATE INDEX request_events_request_idx ON request_events (request_id, at_us);
