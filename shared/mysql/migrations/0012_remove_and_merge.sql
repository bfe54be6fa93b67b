-- Customers and items can be removed (soft: the row stays, hidden) or merged into a duplicate
-- (their items, orders and files move to the one kept; the row remembers where they went).
ALTER TABLE customers ADD COLUMN deleted_at DATETIME(6) NULL;

ALTER TABLE customers ADD COLUMN merged_into BIGINT NULL;

ALTER TABLE items ADD COLUMN deleted_at DATETIME(6) NULL;

ALTER TABLE items ADD COLUMN merged_into BIGINT NULL;
