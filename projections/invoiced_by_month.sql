-- invoiced_by_month: invoiced amounts per calendar month and the full amounts of invoices settled
-- in it, for DSO (Payt's definition: partial payments count as fully outstanding).
CREATE TABLE invoiced_by_month_{v} (
    administration text   NOT NULL,
    month          date   NOT NULL,
    invoiced       bigint NOT NULL,
    invoice_count  bigint NOT NULL,
    settled        bigint NOT NULL
);
-- indexes
ALTER TABLE invoiced_by_month_{v} ADD CONSTRAINT invoiced_by_month_{v}_pkey
    PRIMARY KEY (administration, month) INCLUDE (invoiced, settled);
