-- When each agency API client was last issued a token: the console shows it beside the
-- client, so an admin sees which clients are in use before revoking one.
ALTER TABLE api_clients ADD COLUMN last_used_at BIGINT;
