-- Every saved change of a system makes a version: the system as the register file has it
-- (JSON, every language, its purposes), and when. The public history of a system and the
-- register's change feed are read from here. Systems entered before this table existed get
-- their first version from the server at start-up (their creation time, their state then).
CREATE TABLE system_versions (
    system_id TEXT NOT NULL REFERENCES systems (id),
    version   BIGINT NOT NULL,
    at_us     BIGINT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('added', 'changed', 'retired')),
    record    TEXT NOT NULL,
    PRIMARY KEY (system_id, version)
);
CREATE INDEX system_versions_at_idx ON system_versions (at_us);
