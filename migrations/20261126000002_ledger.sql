-- The ledger: one append-only Merkle tree (RFC 9162) over the entries of the decision log,
-- consent events, enrollment events and the admin audit log. Each leaf is written in the
-- transaction that stores its entry; the head keeps the tree's size, the roots of its
-- right-edge subtrees (enough to append) and its root. Rows that existed before this
-- migration are brought into the tree once, by the server, in the order they were written.

CREATE TABLE ledger_head (
    id       TEXT PRIMARY KEY CHECK (id = 'head'),
    size     BIGINT NOT NULL,
    -- Hex roots of the perfect subtrees on the right edge, largest first, comma-separated.
    frontier TEXT NOT NULL,
    root     TEXT NOT NULL,
    -- 1 once the rows written before the ledger existed were brought in.
    adopted  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO ledger_head (id, size, frontier, root)
    VALUES ('head', 0, '', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');

CREATE TABLE ledger (
    -- The entry number: the leaf's index, from 0.
    idx       BIGINT PRIMARY KEY,
    source    TEXT NOT NULL CHECK (source IN ('decision', 'consent', 'enrollment', 'audit')),
    entry_id  TEXT NOT NULL,
    -- SHA-256(0x00 || canonical entry), hex.
    leaf_hash TEXT NOT NULL,
    UNIQUE (source, entry_id)
);

-- Signed checkpoints, as published (C2SP signed note), kept so anyone can fetch old ones.
CREATE TABLE ledger_checkpoints (
    size  BIGINT PRIMARY KEY,
    root  TEXT NOT NULL,
    at_us BIGINT NOT NULL,
    note  TEXT NOT NULL
);

-- A decision hashes a salted digest of the resident number asked about instead of the
-- number, so the number can be erased from the row when the account goes and the entry
-- still verifies. Rows written before this migration have no salt (the digest is of
-- ':' and the number).
ALTER TABLE decision_log ADD COLUMN subject_salt TEXT;
ALTER TABLE decision_log ADD COLUMN subject_digest TEXT;

-- Deleting an account erases the person and keeps, under the account's id (which then
-- names nobody), the evidence the city must keep: `erased_at` marks such an account.
ALTER TABLE users ADD COLUMN erased_at BIGINT;
