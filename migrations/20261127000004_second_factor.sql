-- Staff second factor (TOTP, RFC 6238) with one-time recovery codes; disabling an account;
-- rotating an agency client's secret.

-- An operator's `admin disable-user`: the account cannot sign in and its sessions are gone.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

-- One authenticator per staff account. The secret is what the authenticator app holds
-- (base32); `confirmed_at` stays NULL until the first code is entered, and while it does the
-- recovery codes shown at enrolment wait in `pending_recovery_codes` (they are stored only
-- as digests once confirmed). `last_step` is the last 30-second step a code was accepted
-- for: no code is accepted twice.
CREATE TABLE second_factors (
    user_id                TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret                 TEXT NOT NULL,
    pending_recovery_codes TEXT,
    confirmed_at           BIGINT,
    last_step              BIGINT NOT NULL DEFAULT 0,
    created_at             BIGINT NOT NULL
);

-- One-time recovery codes, as SHA-256 hex digests (they are random, not chosen by people).
CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- Tokens issued before a rotation stop working at once.
ALTER TABLE api_clients ADD COLUMN secret_rotated_at BIGINT;
