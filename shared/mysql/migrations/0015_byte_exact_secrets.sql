-- Secrets and signed values compare byte for byte. The tables' default collation
-- (utf8mb4_unicode_ci) ignores case, so an upper-cased certificate token opened the certificate
-- and two Idempotency-Keys differing in case were one key. Tokens, token hashes,
-- idempotency keys, content hashes, ETags, object keys (COS keys are case-sensitive), the phone
-- number's blind index and password hashes are binary-collated from now on.
-- sessions.id stays as it is: it is only ever compared with the id inside a signed access token
-- (which no caller can change) and the embedded engine cannot change that primary key, nor write
-- to refresh_tokens after a change while its foreign key to sessions exists. So the foreign key
-- goes (its index stays): nothing deletes sessions, and a refresh token is only ever written with
-- its session in one transaction (CreateSession, RotateRefresh).

ALTER TABLE certificates MODIFY verify_token CHAR(43) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT '256 random bits, base64url';

ALTER TABLE refresh_tokens DROP FOREIGN KEY fk_refresh_tokens_session;

ALTER TABLE refresh_tokens MODIFY session_id CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;

ALTER TABLE refresh_tokens MODIFY token_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'sha256 of the token; the token itself is never stored';

ALTER TABLE refresh_tokens MODIFY successor_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL;

ALTER TABLE idempotency_keys MODIFY idem_key VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;

ALTER TABLE idempotency_keys MODIFY request_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;

ALTER TABLE media MODIFY sha256 CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '';

ALTER TABLE media MODIFY original_etag VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '';

ALTER TABLE media MODIFY object_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'originals/yyyy/mm/{id}{ext}, never derived from the file name';

ALTER TABLE customers MODIFY phone_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL COMMENT 'HMAC-SHA256 of the normalised number, for exact search';

ALTER TABLE admin_users MODIFY password_hash VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL;
