-- Accounts (residents, privacy officers, administrators), their sessions, and the API
-- clients agencies use. Secrets are never stored: passwords and client secrets as argon2id
-- PHC strings, session ids as SHA-256 hex digests.

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    lang            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('resident', 'officer', 'admin')),
    -- How agencies name a resident in the API; short, unambiguous characters.
    resident_number TEXT NOT NULL UNIQUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the random session id carried in the session token.
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    -- The absolute end of the session, whatever its activity.
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE api_clients (
    id          TEXT PRIMARY KEY,
    client_id   TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    -- Space-separated scope codes, e.g. "consent:check subjects:read".
    scopes      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_clients_agency_idx ON api_clients (agency_id);
