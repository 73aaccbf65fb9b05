-- Hardening the staff second factor (issue 13): enrolling an authenticator needs a one-time
-- code the operator issued out of band; authenticator secrets are sealed; a pending sign-in
-- is used once.

-- The operator's enrolment code (`admin create-user` for staff, `admin reset-second-factor`):
-- at most one per account, a new one replacing the last. Only its keyed digest is kept
-- (HMAC-SHA-256 under a key derived from the server's secret: the code is random, so a fast
-- digest is enough). `used_at` is set when a pending sign-in redeems it.
CREATE TABLE second_factor_enrolment_codes (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Pending sign-ins (by their token's `jti`) that were used to start a session or to redeem
-- an enrolment code: replayed, they are refused. Kept until the token would have expired.
CREATE TABLE used_pending_sign_ins (
    jti        TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);

-- `second_factors.secret` and `pending_recovery_codes` hold sealed values from now on
-- (`totp-1:` and the base64 of an XChaCha20-Poly1305 nonce and ciphertext, the account's id
-- as associated data). SQL cannot hold the key: the server seals the plain secrets of
-- confirmed authenticators when it starts (`Accounts::seal_stored_secrets`). Enrolments
-- under way were begun with a password alone: they are dropped, and start again with a code.
DELETE FROM second_factors WHERE confirmed_at IS NULL;
