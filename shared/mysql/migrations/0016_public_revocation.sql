-- A revocation's published reason, from a closed list (appraisal.RevokeReasons). revoke_reason
-- keeps the staff's own words, which stay internal; the certificate page shows only this code's
-- words. Certificates revoked before this change publish "OTHER".
ALTER TABLE certificates ADD COLUMN revoke_code VARCHAR(24) NOT NULL DEFAULT '';

UPDATE certificates SET revoke_code = 'OTHER' WHERE status = 'REVOKED';
