-- The refresh grace window: a spent refresh token remembers its successor (hash, and the token
-- sealed with a key derived from the spent token itself, which the database never holds), so a
-- second tab refreshing with the same token moments later gets the same successor instead of
-- tripping reuse detection.

ALTER TABLE refresh_tokens ADD COLUMN successor_hash CHAR(64) NULL;

ALTER TABLE refresh_tokens ADD COLUMN successor_sealed VARBINARY(128) NULL;
