-- debtor_balance: one row per debtor account; the view `debtor_balance` points at the live build.
CREATE TABLE debtor_balance_{v} (
    administration     text   NOT NULL,
    debtor_code        text   NOT NULL,
    aggregate_id       text   NOT NULL,
    name               text   NOT NULL,
    outstanding        bigint NOT NULL,
    open_count         bigint NOT NULL,
    oldest_open_due    date,
    -- the worst stage of the open invoices; NULL when nothing is open
    phase              text,
    unallocated_credit bigint NOT NULL
);
-- indexes
ALTER TABLE debtor_balance_{v} ADD CONSTRAINT debtor_balance_{v}_pkey PRIMARY KEY (aggregate_id);
-- top debtors by open amount
CREATE INDEX debtor_balance_{v}_top ON debtor_balance_{v} (administration, outstanding DESC, aggregate_id);
