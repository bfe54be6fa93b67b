-- Accounts: roles by immutable id, admin users, and the login log.
-- Every table: InnoDB, utf8mb4_unicode_ci (MariaDB 10.11 rejects MySQL 8's 0900 collations), times
-- as DATETIME(6) in UTC. Statements end with ';' at the end of a line: the migrator splits there.

CREATE TABLE IF NOT EXISTS roles (
  id INT NOT NULL PRIMARY KEY,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  UNIQUE KEY uk_roles_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO roles (id, code, name) VALUES
  (1, 'super_admin', '超级管理员'),
  (2, 'admin', '管理员'),
  (3, 'operator', '客服/运营'),
  (4, 'expert', '鉴定师'),
  (5, 'reviewer', '复核'),
  (6, 'viewer', '只读')
ON DUPLICATE KEY UPDATE code = VALUES(code), name = VALUES(name);

CREATE TABLE IF NOT EXISTS admin_users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(64) NOT NULL COMMENT 'lower-cased and trimmed in Go before writing',
  display_name VARCHAR(64) NOT NULL DEFAULT '',
  password_hash VARCHAR(255) NOT NULL,
  role_id INT NOT NULL,
  disabled TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_admin_users_username (username),
  KEY idx_admin_users_role (role_id),
  CONSTRAINT fk_admin_users_role FOREIGN KEY (role_id) REFERENCES roles (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS login_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NULL,
  username VARCHAR(64) NOT NULL,
  success TINYINT(1) NOT NULL,
  reason VARCHAR(64) NOT NULL DEFAULT '',
  ip VARCHAR(64) NOT NULL DEFAULT '',
  user_agent VARCHAR(255) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  KEY idx_login_log_user (user_id, created_at),
  KEY idx_login_log_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
