-- The public register: agencies (controllers), the systems they run, each system's
-- purposes with their legal basis, and the data categories each purpose uses.
--
-- Portable across SQLite and PostgreSQL: TEXT ids, BIGINT unix-second timestamps,
-- flags as BIGINT 0/1 (sqlx's Any driver cannot read SQLite BOOLEAN columns), dates as
-- ISO-8601 TEXT. Translatable texts are JSON objects keyed by language code, stored as
-- TEXT, e.g. {"en": "Traffic cameras", "es": "Cámaras de tráfico"}.

CREATE TABLE city (
    id         TEXT PRIMARY KEY CHECK (id = 'city'),
    name       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE agencies (
    id               TEXT PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    public_authority BIGINT NOT NULL CHECK (public_authority IN (0, 1)),
    name             TEXT NOT NULL,
    description      TEXT NOT NULL,
    dpo_email        TEXT NOT NULL,
    website          TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE systems (
    id                    TEXT PRIMARY KEY,
    slug                  TEXT NOT NULL UNIQUE,
    agency_id             TEXT NOT NULL REFERENCES agencies (id),
    technology            TEXT NOT NULL CHECK (technology IN (
                              'cctv', 'facial_recognition', 'licence_plate_reader',
                              'traffic_sensor', 'environmental_sensor', 'smart_meter',
                              'fare_card', 'online_service', 'wireless_network', 'algorithm')),
    status                TEXT NOT NULL CHECK (status IN ('planned', 'active', 'retired')),
    scope                 TEXT NOT NULL CHECK (scope IN ('public_space', 'enrolment')),
    identifies_people     BIGINT NOT NULL CHECK (identifies_people IN (0, 1)),
    algorithmic_decisions BIGINT NOT NULL CHECK (algorithmic_decisions IN (0, 1)),
    reviewed_on           TEXT NOT NULL,
    -- NULL when no fixed period can be given; the retention text then says why.
    retention_days        BIGINT CHECK (retention_days IS NULL OR retention_days >= 0),
    name                  TEXT NOT NULL,
    description           TEXT NOT NULL,
    location              TEXT NOT NULL,
    data_subjects         TEXT NOT NULL,
    retention             TEXT NOT NULL,
    access                TEXT NOT NULL,
    recipients            TEXT NOT NULL,
    transfers             TEXT NOT NULL,
    security              TEXT NOT NULL,
    algorithm             TEXT,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX systems_agency_idx ON systems (agency_id);

CREATE TABLE purposes (
    id          TEXT PRIMARY KEY,
    system_id   TEXT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    -- Display order within the system.
    position    BIGINT NOT NULL,
    legal_basis TEXT NOT NULL CHECK (legal_basis IN (
                    'consent', 'contract', 'legal_obligation', 'vital_interests',
                    'public_task', 'legitimate_interests')),
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (system_id, key)
);

CREATE TABLE purpose_categories (
    purpose_id TEXT NOT NULL REFERENCES purposes (id) ON DELETE CASCADE,
    category   TEXT NOT NULL CHECK (category IN (
                   'identity', 'contact', 'location', 'images_video', 'biometric', 'health',
                   'vehicle', 'financial', 'usage_behaviour', 'device_network', 'education')),
    PRIMARY KEY (purpose_id, category)
);
