-- The order list filters by item (an item's history of appraisals).
ALTER TABLE orders ADD KEY idx_orders_item (item_id);
