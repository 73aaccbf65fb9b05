-- Following the register: a signed-in resident may follow a system; each change to its
-- entry (a new version that is not its first) notifies its followers and the residents who
-- hold data in it (enrolled with it, or with a consent choice on one of its purposes), in
-- the change's transaction.
CREATE TABLE system_followers (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    system_id  TEXT NOT NULL REFERENCES systems (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, system_id)
);
CREATE INDEX system_followers_system_idx ON system_followers (system_id);

CREATE TABLE register_notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    system_id  TEXT NOT NULL REFERENCES systems (id),
    version    BIGINT NOT NULL,
    at_us      BIGINT NOT NULL,
    read_at_us BIGINT
);
CREATE INDEX register_notifications_user_idx ON register_notifications (user_id, read_at_us, at_us);
