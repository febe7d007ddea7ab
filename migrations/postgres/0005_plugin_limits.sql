-- Per-plugin overrides of the call limits (NULL = the host default: 2 s, 64 MiB).
ALTER TABLE plugins ADD COLUMN deadline_ms BIGINT;
ALTER TABLE plugins ADD COLUMN memory_mib BIGINT;
