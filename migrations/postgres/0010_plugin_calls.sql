-- Per-plugin override of how many calls of one plugin may run at once (NULL = the host
-- default, 32); beyond it the host answers 503 with Retry-After (host/src/plugins/stats.rs).
ALTER TABLE plugins ADD COLUMN max_calls BIGINT;
