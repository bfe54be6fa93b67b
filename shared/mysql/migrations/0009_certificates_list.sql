-- The certificate list: by status, newest first.
ALTER TABLE certificates ADD KEY idx_certificates_status (status, issued_at);
