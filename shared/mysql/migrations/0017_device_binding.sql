-- The refresh grace window is bound to the browser that logged in. A login hands the browser a
-- device secret in an HttpOnly, SameSite=Strict cookie and the session keeps its hash; a spent
-- refresh token records the device hash of the request that spent it. A spent token presented
-- again within the grace window gets its successor only when both requests carried the session's
-- device (two tabs of one browser); anything else revokes the session.
ALTER TABLE sessions ADD COLUMN device_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '';

ALTER TABLE refresh_tokens ADD COLUMN rotated_device CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '';
