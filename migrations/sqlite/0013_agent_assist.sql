-- Agent assist (issue #24): a back-office user flagged `agent` may sign in on the storefront
-- (session realm `agent`, its own cookie) and act for a customer. `agent_assistances` is the
-- host's record of who assists whom: the live binding of an agent session to a customer
-- (`session_hash` set, `ended_at` NULL: at most one per session) and, once ended, the history.
-- Each act while assisting is also an `audit_log` row; `acts` counts them.
ALTER TABLE users ADD COLUMN agent BIGINT NOT NULL DEFAULT 0;

CREATE TABLE agent_assistances (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    agent_id       BIGINT NOT NULL REFERENCES users (id),
    customer_id    BIGINT NOT NULL REFERENCES customers_auth (id),
    customer_email TEXT   NOT NULL,
    customer_name  TEXT   NOT NULL,
    session_hash   TEXT,
    started_at     BIGINT NOT NULL,
    ended_at       BIGINT,
    ended_how      TEXT,
    acts           BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX agent_assistances_live ON agent_assistances (session_hash) WHERE ended_at IS NULL;
CREATE INDEX agent_assistances_customer ON agent_assistances (customer_id, started_at);
CREATE INDEX agent_assistances_agent ON agent_assistances (agent_id, started_at);
