-- The agencies' consent change feed (GET /api/v1/consent/changes) reads the ledger by
-- position, one source at a time: consent events, enrollment events, and staff actions
-- (an upheld objection is placed by the `fulfil` entry written in its transaction). These
-- indexes keep a read to the stretch it asks for, instead of every decision in between,
-- and find a request's staff actions without scanning the log.
CREATE INDEX ledger_source_idx ON ledger (source, idx);
CREATE INDEX admin_audit_request_idx ON admin_audit (request_id);
