-- The shop's context (host/src/shop/): stores, locales, currencies, countries, tax rates and
-- tax sets. One row per record with its fields as JSON (the typed records and their checks
-- live in host/src/shop/records/); `kind` and `code` make it unique. `shop_settings_version`
-- moves on every change, so every host notices a change another one made (host/src/shop/).
-- The first store is the shop's default: the storefront serves it.
-- The seed is what the sections hard-coded before settings existed: stores DE and AT, prices
-- in EUR, CHF and USD, tax sets standard, reduced and zero.
CREATE TABLE shop_settings (
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Creation order within the kind: lists keep it, and the first store is the default.
    position BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, code)
);

CREATE TABLE shop_settings_version (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO shop_settings_version (id, version) VALUES (1, 1);

INSERT INTO shop_settings (kind, code, body, position, updated_at) VALUES
('locale', 'de_DE', '{"code":"de_DE","name":"Deutsch (Deutschland)"}', 1, 0),
('locale', 'de_AT', '{"code":"de_AT","name":"Deutsch (Österreich)"}', 2, 0),
('locale', 'en_US', '{"code":"en_US","name":"English (United States)"}', 3, 0),
('currency', 'EUR', '{"code":"EUR","name":"Euro","symbol":"€","minor_units":2}', 1, 0),
('currency', 'CHF', '{"code":"CHF","name":"Swiss franc","symbol":"CHF","minor_units":2}', 2, 0),
('currency', 'USD', '{"code":"USD","name":"US dollar","symbol":"$","minor_units":2}', 3, 0),
('country', 'DE', '{"code":"DE","name":"Germany"}', 1, 0),
('country', 'AT', '{"code":"AT","name":"Austria"}', 2, 0),
('country', 'CH', '{"code":"CH","name":"Switzerland"}', 3, 0),
('country', 'US', '{"code":"US","name":"United States"}', 4, 0),
('store', 'DE', '{"code":"DE","name":"Germany","default_locale":"de_DE","locales":["de_DE","en_US"],"default_currency":"EUR","currencies":["EUR"],"countries":["DE"],"timezone":"Europe/Berlin"}', 1, 0),
('store', 'AT', '{"code":"AT","name":"Austria","default_locale":"de_AT","locales":["de_AT","en_US"],"default_currency":"EUR","currencies":["EUR"],"countries":["AT"],"timezone":"Europe/Vienna"}', 2, 0),
('tax-rate', 'de-standard', '{"code":"de-standard","name":"Germany standard","country":"DE","basis_points":1900}', 1, 0),
('tax-rate', 'de-reduced', '{"code":"de-reduced","name":"Germany reduced","country":"DE","basis_points":700}', 2, 0),
('tax-rate', 'at-standard', '{"code":"at-standard","name":"Austria standard","country":"AT","basis_points":2000}', 3, 0),
('tax-rate', 'at-reduced', '{"code":"at-reduced","name":"Austria reduced","country":"AT","basis_points":1000}', 4, 0),
('tax-rate', 'zero', '{"code":"zero","name":"Tax free","country":"","basis_points":0}', 5, 0),
('tax-set', 'standard', '{"code":"standard","name":"Standard rate","rates":["de-standard","at-standard"]}', 1, 0),
('tax-set', 'reduced', '{"code":"reduced","name":"Reduced rate","rates":["de-reduced","at-reduced"]}', 2, 0),
('tax-set', 'zero', '{"code":"zero","name":"Tax free","rates":["zero"]}', 3, 0);
