-- Problems anyone signed in reports about the register ("this camera is not listed", "this
-- retention is wrong"): an officer queue, each answered in public. The author is kept only
-- to cap reports per person per day; the public list shows no names.
CREATE TABLE register_reports (
    id          TEXT PRIMARY KEY,
    system_slug TEXT,
    body        TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL,
    answer      TEXT,
    answered_by TEXT,
    answered_at BIGINT
);
CREATE INDEX register_reports_created_idx ON register_reports (created_at);
CREATE INDEX register_reports_user_idx ON register_reports (user_id, created_at);
