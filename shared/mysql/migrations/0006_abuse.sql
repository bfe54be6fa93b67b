-- Abuse resistance and evidence integrity.
-- An administrator's password reset makes the account change its password before anything else.
ALTER TABLE admin_users ADD COLUMN must_change_password TINYINT(1) NOT NULL DEFAULT 0;

-- A rejection's stable code (the reason stays as text for people).
ALTER TABLE media ADD COLUMN reason_code VARCHAR(40) NOT NULL DEFAULT '';

-- The stored original's ETag when it was processed: a later event for the same key with another
-- ETag means the original was replaced.
ALTER TABLE media ADD COLUMN original_etag VARCHAR(80) NOT NULL DEFAULT '';

-- When the original of a rejected file was removed from storage (it is not evidence of anything
-- and is not kept).
ALTER TABLE media ADD COLUMN original_removed_at DATETIME(6) NULL;
