-- Where staff log in from, read back from the login log when Redis has lost its copy (a
-- successful login makes its (account, address) pair "known": such logins keep a reserved hashing
-- slot during a flood). The index covers the query, so the failures a flood writes are never read.
CREATE INDEX idx_login_log_known ON login_log (success, created_at, username, ip);
