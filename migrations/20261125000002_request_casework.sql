-- The privacy office at work: who handles a request, objections that were upheld (they
-- decide later consent checks and data queries), and the admin audit log.

ALTER TABLE privacy_requests ADD COLUMN assigned_to TEXT REFERENCES users (id);

-- An objection (GDPR Art. 21) the office upheld: from then on, checks and queries for this
-- resident and purpose are denied with reason `objection_upheld`, whatever the basis.
CREATE TABLE upheld_objections (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose_id TEXT NOT NULL REFERENCES purposes (id),
    request_id TEXT NOT NULL REFERENCES privacy_requests (id) ON DELETE CASCADE,
    at_us      BIGINT NOT NULL,
    PRIMARY KEY (user_id, purpose_id)
);

-- Every officer and admin action: who, what, when, on which request. Append-only: the
-- application only ever inserts and reads.
CREATE TABLE admin_audit (
    id         TEXT PRIMARY KEY,
    at_us      BIGINT NOT NULL,
    actor_id   TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL,
    request_id TEXT,
    detail     TEXT NOT NULL
);
CREATE INDEX admin_audit_at_idx ON admin_audit (at_us);
