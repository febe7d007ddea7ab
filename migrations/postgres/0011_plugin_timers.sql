-- Scheduled events (`events.publish-after`) are capped per plugin: `max_timers` overrides the
-- default cap (NULL keeps it). `fires_at` marks a delayed event with its first delivery time;
-- the partial index counts a plugin's pending timers without touching its immediate events.
ALTER TABLE plugins ADD COLUMN max_timers BIGINT;
ALTER TABLE events ADD COLUMN fires_at BIGINT;
CREATE INDEX events_timers ON events (source, fires_at) WHERE fires_at IS NOT NULL;
