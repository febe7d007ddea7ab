-- Plugin storage: one row per collection a plugin declared, with the spec `storage::ensure` last
-- applied (JSON). The records of a collection live in their own table "pcol_<id>" (plus derived
-- indexes and an FTS5 table "pcol_<id>_fts"), created and migrated by `storage::ensure`.
-- A collection that a later plugin version no longer declares is only marked retired: its
-- records are kept. AUTOINCREMENT: an id, and so a table name, is never reused.

CREATE TABLE plugin_collections (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plugin_id  TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    spec       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    retired_at BIGINT,
    UNIQUE (plugin_id, name)
);
