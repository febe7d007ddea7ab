-- Plugin runtime: which plugins are enabled, their settings, and the event outbox.

CREATE TABLE plugins (
    id         TEXT   PRIMARY KEY,
    enabled    BIGINT NOT NULL DEFAULT 1,
    version    TEXT   NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

CREATE TABLE plugin_settings (
    plugin     TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (plugin, key)
);

CREATE TABLE events (
    id         BIGSERIAL PRIMARY KEY,
    topic      TEXT   NOT NULL,
    source     TEXT   NOT NULL,
    payload    TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

-- One row per (event, subscriber): at-least-once delivery with retries and backoff.
CREATE TABLE event_deliveries (
    event_id        BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    subscriber      TEXT   NOT NULL,
    status          TEXT   NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT   NOT NULL DEFAULT '',
    delivered_at    BIGINT,
    PRIMARY KEY (event_id, subscriber)
);
CREATE INDEX event_deliveries_due ON event_deliveries (status, next_attempt_at);
