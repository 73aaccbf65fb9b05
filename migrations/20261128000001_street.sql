-- Transparency where people are: the city's districts (drawn on /map) and the located
-- devices of public-space systems, each with the short code printed on its sign (/s/{code}).
CREATE TABLE districts (
    slug       TEXT PRIMARY KEY,
    -- The name in each language (JSON), and the outline: [[longitude, latitude], ...].
    name       TEXT NOT NULL,
    outline    TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE devices (
    code       TEXT PRIMARY KEY,
    system_id  TEXT NOT NULL REFERENCES systems (id) ON DELETE CASCADE,
    -- Where a passer-by finds it, in each language (JSON), and its shape:
    -- {"point": [lon, lat]}, {"line": [[lon, lat], ...]} or {"area": [[lon, lat], ...]}.
    label      TEXT NOT NULL,
    geometry   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX devices_system_idx ON devices (system_id);

-- A report may be about one device, and may come from a passer-by without an account: then
-- a keyed digest of the address it came from caps reports per address per day.
ALTER TABLE register_reports ADD COLUMN device_code TEXT;
ALTER TABLE register_reports ADD COLUMN reporter_key TEXT;
CREATE INDEX register_reports_reporter_idx ON register_reports (reporter_key, created_at);

-- A system's figures over a period (a device's page, the statistics, the yearly report).
CREATE INDEX decision_log_system_at_idx ON decision_log (system, at_us);
