-- The business: categories, customers, items, service products, experts, appraisal orders with
-- their events, opinions, reviews and certificates, and idempotency keys for creates.

CREATE TABLE IF NOT EXISTS categories (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  parent_id BIGINT NULL,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  sort INT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_categories_code (code),
  KEY idx_categories_parent (parent_id),
  CONSTRAINT fk_categories_parent FOREIGN KEY (parent_id) REFERENCES categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO categories (id, parent_id, code, name, sort, created_at) VALUES
  (1, NULL, 'porcelain', '瓷器', 10, UTC_TIMESTAMP(6)),
  (2, NULL, 'jade', '玉器', 20, UTC_TIMESTAMP(6)),
  (3, NULL, 'painting', '书画', 30, UTC_TIMESTAMP(6)),
  (4, NULL, 'coin', '钱币', 40, UTC_TIMESTAMP(6)),
  (5, NULL, 'misc', '杂项', 50, UTC_TIMESTAMP(6)),
  (6, NULL, 'jewelry', '珠宝', 60, UTC_TIMESTAMP(6)),
  (7, NULL, 'bronze', '青铜器', 70, UTC_TIMESTAMP(6)),
  (8, 1, 'porcelain-blue-white', '青花瓷', 11, UTC_TIMESTAMP(6)),
  (9, 1, 'porcelain-celadon', '青瓷', 12, UTC_TIMESTAMP(6)),
  (10, 2, 'jade-hetian', '和田玉', 21, UTC_TIMESTAMP(6)),
  (11, 2, 'jade-jadeite', '翡翠', 22, UTC_TIMESTAMP(6)),
  (12, 3, 'painting-calligraphy', '书法', 31, UTC_TIMESTAMP(6)),
  (13, 3, 'painting-ink', '国画', 32, UTC_TIMESTAMP(6)),
  (14, 4, 'coin-ancient', '古钱币', 41, UTC_TIMESTAMP(6)),
  (15, 4, 'coin-silver', '银元', 42, UTC_TIMESTAMP(6)),
  (16, 5, 'misc-wood', '木器', 51, UTC_TIMESTAMP(6)),
  (17, 5, 'misc-bamboo', '竹雕', 52, UTC_TIMESTAMP(6))
ON DUPLICATE KEY UPDATE name = VALUES(name);

CREATE TABLE IF NOT EXISTS customers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(64) NOT NULL,
  phone_enc VARBINARY(255) NULL COMMENT 'AES-GCM ciphertext of the phone number',
  phone_hash CHAR(64) NULL COMMENT 'HMAC-SHA256 of the normalised number, for exact search',
  phone_masked VARCHAR(32) NOT NULL DEFAULT '',
  note VARCHAR(500) NOT NULL DEFAULT '',
  blocked TINYINT(1) NOT NULL DEFAULT 0,
  blocked_reason VARCHAR(200) NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_customers_phone_hash (phone_hash),
  KEY idx_customers_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS items (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  category_id BIGINT NOT NULL,
  title VARCHAR(128) NOT NULL,
  description TEXT NULL,
  attributes LONGTEXT NULL COMMENT 'JSON object of string attributes (era, material, size…), decoded in Go',
  declared_value_fen BIGINT NOT NULL DEFAULT 0,
  version BIGINT NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  KEY idx_items_customer (customer_id),
  KEY idx_items_category (category_id),
  CONSTRAINT fk_items_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT fk_items_category FOREIGN KEY (category_id) REFERENCES categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS service_products (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(64) NOT NULL,
  kind VARCHAR(16) NOT NULL COMMENT 'IMAGE | VIDEO | PHYSICAL',
  price_fen BIGINT NOT NULL,
  sla_hours INT NOT NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_service_products_code (code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO service_products (id, code, name, kind, price_fen, sla_hours, active, created_at, updated_at) VALUES
  (1, 'image-standard', '图文鉴定', 'IMAGE', 9900, 48, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)),
  (2, 'video-live', '视频鉴定', 'VIDEO', 29900, 24, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)),
  (3, 'physical-full', '实物鉴定', 'PHYSICAL', 99900, 168, 1, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
ON DUPLICATE KEY UPDATE name = VALUES(name);

CREATE TABLE IF NOT EXISTS experts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  name VARCHAR(64) NOT NULL,
  title VARCHAR(64) NOT NULL DEFAULT '',
  capacity INT NOT NULL DEFAULT 10 COMMENT 'open orders at once',
  active TINYINT(1) NOT NULL DEFAULT 1,
  version BIGINT NOT NULL DEFAULT 1,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_experts_user (user_id),
  CONSTRAINT fk_experts_user FOREIGN KEY (user_id) REFERENCES admin_users (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS expert_specialties (
  expert_id BIGINT NOT NULL,
  category_id BIGINT NOT NULL,
  grade VARCHAR(16) NOT NULL DEFAULT 'senior' COMMENT 'junior | senior | master',
  can_review TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (expert_id, category_id),
  KEY idx_expert_specialties_category (category_id),
  CONSTRAINT fk_expert_specialties_expert FOREIGN KEY (expert_id) REFERENCES experts (id) ON DELETE CASCADE,
  CONSTRAINT fk_expert_specialties_category FOREIGN KEY (category_id) REFERENCES categories (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS orders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_no VARCHAR(32) NOT NULL,
  customer_id BIGINT NOT NULL,
  item_id BIGINT NOT NULL,
  product_id BIGINT NOT NULL,
  category_id BIGINT NOT NULL COMMENT 'copied from the item for filtering',
  title VARCHAR(128) NOT NULL COMMENT 'copied from the item for keyword search',
  customer_name VARCHAR(64) NOT NULL COMMENT 'copied from the customer for keyword search',
  status VARCHAR(24) NOT NULL,
  round INT NOT NULL DEFAULT 1,
  assignee_expert_id BIGINT NULL,
  price_fen BIGINT NOT NULL,
  sla_due_at DATETIME(6) NOT NULL,
  sla_paused_at DATETIME(6) NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 1,
  created_by BIGINT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  completed_at DATETIME(6) NULL,
  UNIQUE KEY uk_orders_order_no (order_no),
  KEY idx_orders_status (status, created_at),
  KEY idx_orders_created (created_at),
  KEY idx_orders_assignee (assignee_expert_id, status),
  KEY idx_orders_category (category_id, created_at),
  KEY idx_orders_product (product_id, created_at),
  KEY idx_orders_customer (customer_id),
  KEY idx_orders_sla (status, sla_due_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id),
  CONSTRAINT fk_orders_item FOREIGN KEY (item_id) REFERENCES items (id),
  CONSTRAINT fk_orders_product FOREIGN KEY (product_id) REFERENCES service_products (id),
  CONSTRAINT fk_orders_assignee FOREIGN KEY (assignee_expert_id) REFERENCES experts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS order_events (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  round INT NOT NULL,
  action VARCHAR(32) NOT NULL,
  from_status VARCHAR(24) NOT NULL DEFAULT '',
  to_status VARCHAR(24) NOT NULL,
  version BIGINT NOT NULL COMMENT 'the order version this event produced',
  actor_user_id BIGINT NULL,
  note VARCHAR(500) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  UNIQUE KEY uk_order_events_version (order_id, version),
  CONSTRAINT fk_order_events_order FOREIGN KEY (order_id) REFERENCES orders (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS opinions (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  round INT NOT NULL,
  expert_id BIGINT NOT NULL,
  verdict VARCHAR(24) NOT NULL COMMENT 'GENUINE | FAKE | UNCERTAIN | NOT_APPRAISABLE',
  era VARCHAR(64) NOT NULL DEFAULT '',
  condition_grade VARCHAR(64) NOT NULL DEFAULT '',
  value_min_fen BIGINT NOT NULL DEFAULT 0,
  value_max_fen BIGINT NOT NULL DEFAULT 0,
  public_comment TEXT NULL,
  internal_note TEXT NULL,
  status VARCHAR(16) NOT NULL COMMENT 'ACTIVE | SENT_BACK | SUPERSEDED',
  review_required TINYINT(1) NOT NULL DEFAULT 0,
  review_reason VARCHAR(32) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  KEY idx_opinions_order (order_id, round),
  CONSTRAINT fk_opinions_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_opinions_expert FOREIGN KEY (expert_id) REFERENCES experts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS reviews (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id BIGINT NOT NULL,
  opinion_id BIGINT NOT NULL,
  reviewer_user_id BIGINT NOT NULL,
  decision VARCHAR(16) NOT NULL COMMENT 'AGREE | SEND_BACK',
  comment VARCHAR(1000) NOT NULL DEFAULT '',
  created_at DATETIME(6) NOT NULL,
  KEY idx_reviews_order (order_id),
  CONSTRAINT fk_reviews_opinion FOREIGN KEY (opinion_id) REFERENCES opinions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS certificates (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  cert_no VARCHAR(32) NOT NULL,
  verify_token CHAR(43) NOT NULL COMMENT '256 random bits, base64url',
  order_id BIGINT NOT NULL,
  opinion_id BIGINT NOT NULL,
  round INT NOT NULL,
  status VARCHAR(16) NOT NULL COMMENT 'ISSUED | REVOKED | SUPERSEDED',
  issued_by BIGINT NOT NULL,
  issued_at DATETIME(6) NOT NULL,
  revoked_at DATETIME(6) NULL,
  revoke_reason VARCHAR(200) NOT NULL DEFAULT '',
  superseded_at DATETIME(6) NULL,
  UNIQUE KEY uk_certificates_cert_no (cert_no),
  UNIQUE KEY uk_certificates_verify_token (verify_token),
  KEY idx_certificates_order (order_id),
  CONSTRAINT fk_certificates_order FOREIGN KEY (order_id) REFERENCES orders (id),
  CONSTRAINT fk_certificates_opinion FOREIGN KEY (opinion_id) REFERENCES opinions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS idempotency_keys (
  user_id BIGINT NOT NULL,
  idem_key VARCHAR(64) NOT NULL,
  operation VARCHAR(64) NOT NULL,
  request_hash CHAR(64) NOT NULL,
  status INT NOT NULL,
  response LONGTEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (user_id, idem_key),
  KEY idx_idempotency_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
