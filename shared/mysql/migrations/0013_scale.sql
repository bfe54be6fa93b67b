-- Reads that stay flat as the orders table grows (issue #15).
--
-- order_counts: how many orders are in each status, kept in the transaction of every change of
-- status, so an unfiltered or status-only list counts by adding a few rows instead of reading
-- an index range as long as the table. A change adds to one of 16 rows per status (shard,
-- chosen at random) so concurrent creates do not queue on one row lock; readers sum them.
CREATE TABLE IF NOT EXISTS order_counts (
  status VARCHAR(24) NOT NULL,
  shard TINYINT NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (status, shard)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO order_counts (status, shard, n) SELECT status, 0, COUNT(*) FROM orders GROUP BY status;

-- order_terms: the search index. Every two adjacent characters of an order's number, title and
-- customer name, folded the way the search folds (lower case, full-width ASCII as ASCII), one
-- row per distinct term and order. A search for two or more characters looks up its terms
-- here; the LIKE on the rows found keeps the old semantics exact. Written by the store with the
-- order (search.go); migration 0014, in Go, fills it for the orders older than it. No index by
-- order: a change removes exactly the terms of the old text, by key (and the embedded engine
-- slows down with every row of a second index written in a transaction).
CREATE TABLE IF NOT EXISTS order_terms (
  term VARCHAR(2) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  order_id BIGINT NOT NULL,
  PRIMARY KEY (term, order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- An index for every allow-listed sort, so a sorted page reads its own rows and stops; and the
-- completion time with what the dashboard reads of it, so its rollups read the index alone.
ALTER TABLE orders ADD KEY idx_orders_updated (updated_at);

ALTER TABLE orders ADD KEY idx_orders_due (sla_due_at);

ALTER TABLE orders ADD KEY idx_orders_price (price_fen);

ALTER TABLE orders ADD KEY idx_orders_completed (completed_at, status, assignee_expert_id, created_at);

-- order_days: the dashboard's daily figures, kept with the orders (the same transactions as
-- order_counts, sharded the same way): intake by the day an order was created, completions by
-- the day it was completed, counted while its status is COMPLETED or CERT_ISSUED. Days are China
-- Standard Time (UTC+8, no daylight saving), the staff's days. Reading 30 days is 30×16 rows at
-- most, however long the history.
CREATE TABLE IF NOT EXISTS order_days (
  day DATE NOT NULL,
  shard TINYINT NOT NULL,
  intake BIGINT NOT NULL DEFAULT 0,
  completed BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, shard)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT INTO order_days (day, shard, intake, completed)
  SELECT DATE(DATE_ADD(created_at, INTERVAL 8 HOUR)) AS d, 0, COUNT(*), 0 FROM orders GROUP BY d;

INSERT INTO order_days (day, shard, intake, completed)
  SELECT DATE(DATE_ADD(completed_at, INTERVAL 8 HOUR)) AS d, 1, 0, COUNT(*) FROM orders
  WHERE completed_at IS NOT NULL AND status IN ('COMPLETED', 'CERT_ISSUED') GROUP BY d;
