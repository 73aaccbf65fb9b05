-- Sign-in back-off: an account's streak of wrong passwords, the addresses it came from, and
-- the notice that tells the owner about it.

-- Wrong passwords since the last right one, and when the last was (microseconds); the wait
-- before the next try follows from them (`domain::account::FailedSignIns`).
ALTER TABLE users ADD COLUMN failed_sign_ins BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_failed_sign_in_us BIGINT;

-- The addresses that tried a wrong password during the streak, as SHA-256 hex digests of
-- their limit key (an IPv4 address or an IPv6 /64), never the address itself; the wait holds
-- back these, not an address that has not been failing. Emptied by a right password.
CREATE TABLE sign_in_failures (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address TEXT NOT NULL,
    at_us   BIGINT NOT NULL,
    PRIMARY KEY (user_id, address)
);

-- Notices about the account itself, shown beside the request notifications. 'sign_in_failures':
-- `failures` wrong passwords were tried in a row, the last at `at_us`.
CREATE TABLE account_notifications (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('sign_in_failures')),
    at_us      BIGINT NOT NULL,
    failures   BIGINT NOT NULL,
    read_at_us BIGINT
);
CREATE INDEX account_notifications_user_idx ON account_notifications (user_id, read_at_us, at_us);
