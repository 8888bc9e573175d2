-- open_by_due_date: invoices per due date and stored phase, with their open amount. Ageing buckets,
-- overdue totals and phase counts for any "today" are range sums over these rows.
CREATE TABLE open_by_due_date_{v} (
    administration text   NOT NULL,
    due_date       date   NOT NULL,
    phase          text   NOT NULL,
    open_amount    bigint NOT NULL,
    count          bigint NOT NULL
);
-- indexes
ALTER TABLE open_by_due_date_{v} ADD CONSTRAINT open_by_due_date_{v}_pkey
    PRIMARY KEY (administration, due_date, phase) INCLUDE (open_amount, count);
-- the open phases only, for the ranges the dashboard sums (settled rows carry no open amount)
CREATE INDEX open_by_due_date_{v}_open ON open_by_due_date_{v} (administration, due_date)
    INCLUDE (phase, open_amount, count) WHERE phase NOT IN ('Paid', 'Credited');
