-- The due deliveries in the order the workers take them (a batch per lease), so a lease reads
-- only the index entries it takes instead of sorting every pending delivery.
DROP INDEX webhook_delivery_due;
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at, event_tx, event_pos) WHERE status = 'pending';
