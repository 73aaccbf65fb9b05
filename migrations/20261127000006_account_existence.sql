-- Neither sign-up nor sign-in tells a stranger whether an email has an account.

-- Sign-up answers the same whether or not the email is taken; when it is, nothing is created
-- and the owner finds an account notice instead. The account notices gain that kind, and
-- their count column a name that fits both kinds:
--   'sign_in_failures'  `times` wrong passwords were tried in a row, the last at `at_us`.
--   'sign_up_attempts'  someone tried `times` times to sign up with the account's email,
--                       the last at `at_us` (one unread notice counts them all).
-- A CHECK constraint cannot be changed in place on SQLite: the table is built again.
CREATE TABLE account_notices (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('sign_in_failures', 'sign_up_attempts')),
    at_us      BIGINT NOT NULL,
    times      BIGINT NOT NULL CHECK (times > 0),
    read_at_us BIGINT
);
INSERT INTO account_notices (id, user_id, kind, at_us, times, read_at_us)
    SELECT id, user_id, kind, at_us, failures, read_at_us FROM account_notifications;
DROP TABLE account_notifications;
CREATE INDEX account_notices_user_idx ON account_notices (user_id, read_at_us, at_us);

-- The sign-in back-off counts wrong passwords for an email with no account exactly as for an
-- account (else its 429 would tell which emails have one), so a streak belongs to a subject:
-- an account's id, or `email:` and the keyed digest of an email with no account. The
-- counters leave `users` for a table of their own. Addresses are now keyed digests (HMAC
-- with a key derived from the server's secret) instead of plain SHA-256, which anyone could
-- reverse over the IPv4 space; the streaks of the moment are forgotten at this upgrade.
CREATE TABLE sign_in_streaks (
    subject        TEXT PRIMARY KEY,
    failures       BIGINT NOT NULL CHECK (failures > 0),
    last_failed_us BIGINT NOT NULL
);
CREATE INDEX sign_in_streaks_last_idx ON sign_in_streaks (last_failed_us);
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_failures (
    subject TEXT NOT NULL,
    address TEXT NOT NULL,
    at_us   BIGINT NOT NULL,
    PRIMARY KEY (subject, address)
);
CREATE INDEX sign_in_failures_at_idx ON sign_in_failures (at_us);
ALTER TABLE users DROP COLUMN failed_sign_ins;
ALTER TABLE users DROP COLUMN last_failed_sign_in_us;
