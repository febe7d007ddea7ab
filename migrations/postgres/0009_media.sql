-- The media library (host/src/media/): one row per distinct image (unique by the SHA-256 of
-- its bytes: the same upload twice is one file), and the bytes of each original and of each
-- resized variant made so far (`variant` '' is the original, else `<size>.<ext>`). The bytes
-- are in the database so every host on it serves every file (docs/architecture.md).
CREATE TABLE media_files (
    id           BIGSERIAL PRIMARY KEY,
    hash         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    width        BIGINT  NOT NULL,
    height       BIGINT  NOT NULL,
    bytes        BIGINT  NOT NULL,
    alt          TEXT    NOT NULL DEFAULT '{}',
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL
);

CREATE TABLE media_blobs (
    hash         TEXT NOT NULL,
    variant      TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL,
    PRIMARY KEY (hash, variant)
);
