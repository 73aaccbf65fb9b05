-- The version of the facts decisions are made on (issue 15). Every write that changes what a
-- consent check could answer (the register, a resident's account, consents, enrollments,
-- upheld objections, an API client) bumps `facts_head.version` and records what changed in
-- `fact_changes`, in its own transaction, through triggers (store/src/db.rs). Each server
-- decides from facts held in memory and, as it appends to the decision log, compares the
-- version it decided on with this one; it re-reads what changed and decides again if it is
-- behind. Versions are gapless: a server that finds a gap (old rows pruned) reloads everything.
CREATE TABLE facts_head (
    id      TEXT PRIMARY KEY CHECK (id = 'head'),
    version BIGINT NOT NULL
);
INSERT INTO facts_head (id, version) VALUES ('head', 0);

CREATE TABLE fact_changes (
    version BIGINT PRIMARY KEY,
    -- 'register' (key ''), 'resident' (key: the account id) or 'client' (key: its client_id).
    kind    TEXT NOT NULL CHECK (kind IN ('register', 'resident', 'client')),
    key     TEXT NOT NULL
);
