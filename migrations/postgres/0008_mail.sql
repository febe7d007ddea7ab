-- Outgoing mail (host/src/mail): every message queued by a plugin call or by the host, rendered
-- when queued (so the Outgoing mail page shows exactly what is or was sent) and written in the
-- caller's transaction; the sender delivers it after commit. `status` is queued (waiting for
-- its first or next attempt, or for an SMTP server to be configured), sent or failed (gave up:
-- refused for good or too many attempts); `last_answer` is the server's last reply or the
-- connection error.
CREATE TABLE mail_outbox (
    id              BIGSERIAL PRIMARY KEY,
    source          TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    template        TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    text_body       TEXT    NOT NULL,
    html_body       TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        BIGINT  NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    last_answer     TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);

-- Back-office "forgot password" tokens, like customer_password_resets: only the SHA-256 of a
-- token is stored, and it works once, until expires_at.
CREATE TABLE user_password_resets (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX user_password_resets_user ON user_password_resets (user_id);
