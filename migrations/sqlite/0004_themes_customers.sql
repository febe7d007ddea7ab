-- Themes (the active theme of each surface, edited variable values) and the customer realm of
-- the host's auth (storefront credentials and password reset tokens).

CREATE TABLE theme_active (
    surface    TEXT   PRIMARY KEY CHECK (surface IN ('backoffice', 'storefront')),
    theme      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE theme_variables (
    theme      TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (theme, name)
);

CREATE TABLE customers_auth (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    status        TEXT   NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked')),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Only the SHA-256 of a reset token is stored; a token works once, until expires_at.
CREATE TABLE customer_password_resets (
    token_hash  TEXT   PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers_auth (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX customer_password_resets_customer ON customer_password_resets (customer_id);
