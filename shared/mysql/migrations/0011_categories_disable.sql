-- A category can be disabled: kept for the items and orders that use it, offered for no new ones.
ALTER TABLE categories ADD COLUMN disabled TINYINT(1) NOT NULL DEFAULT 0;
