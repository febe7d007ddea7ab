-- The theme studio (host/src/themes/studio/): themes made in the Back Office live here, so every
-- host on the database serves them. A theme has a draft (the files being edited) and numbered
-- published versions; `published` is the live version (NULL: never published). A file is
-- addressed by its path inside the theme (`theme.toml`, `templates/...`, `static/...`).
-- `theme_studio_revision` counts changes: a host re-reads the studio themes when it moves.
CREATE TABLE theme_studio (
    name       TEXT   PRIMARY KEY,
    published  BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE theme_studio_drafts (
    theme TEXT NOT NULL REFERENCES theme_studio (name) ON DELETE CASCADE,
    path  TEXT NOT NULL,
    body  BLOB NOT NULL,
    PRIMARY KEY (theme, path)
);

CREATE TABLE theme_studio_versions (
    theme      TEXT   NOT NULL REFERENCES theme_studio (name) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    author     TEXT   NOT NULL,
    note       TEXT   NOT NULL,
    diff       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (theme, version)
);

CREATE TABLE theme_studio_files (
    theme   TEXT   NOT NULL,
    version BIGINT NOT NULL,
    path    TEXT   NOT NULL,
    body    BLOB NOT NULL,
    PRIMARY KEY (theme, version, path),
    FOREIGN KEY (theme, version) REFERENCES theme_studio_versions (theme, version) ON DELETE CASCADE
);

CREATE TABLE theme_studio_revision (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO theme_studio_revision (id, revision) VALUES (1, 0);
