-- Host foundation: back-office users, ACL, sessions, API tokens, login throttling, audit log.
-- Timestamps are UTC unix seconds (BIGINT) so the same code reads SQLite and PostgreSQL.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'blocked', 'deleted')),
    locale        TEXT    NOT NULL DEFAULT 'en',
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);

CREATE TABLE acl_groups (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE acl_roles (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    description TEXT   NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);

CREATE TABLE acl_rules (
    id         BIGSERIAL PRIMARY KEY,
    role_id    BIGINT NOT NULL REFERENCES acl_roles (id) ON DELETE CASCADE,
    section    TEXT   NOT NULL,
    controller TEXT   NOT NULL,
    action     TEXT   NOT NULL,
    effect     TEXT   NOT NULL CHECK (effect IN ('allow', 'deny')),
    UNIQUE (role_id, section, controller, action, effect)
);

CREATE TABLE acl_user_groups (
    user_id  BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES acl_groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
);

CREATE TABLE acl_group_roles (
    group_id BIGINT NOT NULL REFERENCES acl_groups (id) ON DELETE CASCADE,
    role_id  BIGINT NOT NULL REFERENCES acl_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, role_id)
);

CREATE TABLE sessions (
    token_hash   TEXT   PRIMARY KEY,
    realm        TEXT   NOT NULL,
    subject_id   BIGINT NOT NULL,
    csrf_token   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    ip           TEXT   NOT NULL,
    user_agent   TEXT   NOT NULL
);
CREATE INDEX sessions_subject ON sessions (realm, subject_id);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT   NOT NULL,
    token_hash   TEXT   NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE login_failures (
    id  BIGSERIAL PRIMARY KEY,
    key TEXT   NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

CREATE TABLE audit_log (
    id       BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor_id BIGINT,
    actor    TEXT   NOT NULL,
    action   TEXT   NOT NULL,
    target   TEXT   NOT NULL,
    detail   TEXT   NOT NULL,
    ip       TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
