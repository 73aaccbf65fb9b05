-- The conversation between a resident and the privacy office about a request, and the
-- in-app notifications that tell residents a request changed or the office wrote.

CREATE TABLE request_messages (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    at_us       BIGINT NOT NULL,
    -- 'resident' or 'officer:<user id>'.
    author      TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX request_messages_request_idx ON request_messages (request_id, at_us);

CREATE TABLE notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    request_id TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    at_us      BIGINT NOT NULL,
    -- 'status' (with the new status) or 'message'.
    kind       TEXT NOT NULL CHECK (kind IN ('status', 'message')),
    status     TEXT,
    read_at_us BIGINT
);
CREATE INDEX notifications_user_idx ON notifications (user_id, read_at_us, at_us);
