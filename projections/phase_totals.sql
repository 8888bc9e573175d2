-- phase_totals: invoices and open amount per administration and stored phase. Date-independent,
-- so totals need no range sum; only the not-yet-due part (a few dozen due dates) depends on today.
CREATE TABLE phase_totals_{v} (
    administration text   NOT NULL,
    phase          text   NOT NULL,
    open_amount    bigint NOT NULL,
    count          bigint NOT NULL
);
-- indexes
ALTER TABLE phase_totals_{v} ADD CONSTRAINT phase_totals_{v}_pkey
    PRIMARY KEY (administration, phase) INCLUDE (open_amount, count);
