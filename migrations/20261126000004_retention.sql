-- Recorded redactions: when the retention period of an erased account's evidence is over,
-- a purge removes its consent and enrollment events. Their leaves stay in the ledger (every
-- root and proof still holds); each removed row is listed here with the staff-log entry of
-- the purge, which is itself in the ledger and lists the same entry numbers. The triggers
-- let a row of those logs go only once it is listed here; `audit verify` accepts a missing
-- row only when the purge entry accounts for it.
CREATE TABLE ledger_redactions (
    idx      BIGINT PRIMARY KEY REFERENCES ledger (idx),
    audit_id TEXT NOT NULL,
    at_us    BIGINT NOT NULL
);
