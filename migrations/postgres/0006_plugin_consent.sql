-- What the admin approved for each plugin to reach beyond its own data (JSON, see
-- host/src/plugins/consent.rs), and what a version waiting for approval asks for. Plugins that
-- were already installed before consent existed keep working: their first load approves what
-- they ask ('existing').
ALTER TABLE plugins ADD COLUMN approved TEXT;
ALTER TABLE plugins ADD COLUMN approved_by TEXT;
ALTER TABLE plugins ADD COLUMN approved_at BIGINT;
ALTER TABLE plugins ADD COLUMN pending TEXT;
UPDATE plugins SET approved = 'existing';
