-- invoice_list: one row per invoice. `{v}` is the build's generation (v1, v2, …); readers use the
-- view `invoice_list`, which points at the live build. Indexes come after the bulk load.
CREATE TABLE invoice_list_{v} (
    administration text    NOT NULL,
    debtor_code    text    NOT NULL,
    aggregate_id   text    NOT NULL,
    invoice_number text    NOT NULL,
    invoice_date   date    NOT NULL,
    due_date       date    NOT NULL,
    amount         bigint  NOT NULL,
    open_amount    bigint  NOT NULL,
    paid           bigint  NOT NULL,
    credited       bigint  NOT NULL,
    adjusted       bigint  NOT NULL,
    -- Open (NotDue/Overdue by the reader's today), Reminder1…, Collection, Paused, Paid, Credited.
    phase          text    NOT NULL,
    -- dunning step → the day it was sent
    steps          jsonb   NOT NULL,
    prescribes_on  date,
    settled_on     date,
    -- the columns above as the dashboard shows them, encoded in one value (`invoice_list::Line`):
    -- a page sends and decodes one value per invoice instead of thirteen
    line           bytea   NOT NULL
);
-- indexes
-- the key covers what one debtor's page shows, so a debtor's invoices are an index-only scan
ALTER TABLE invoice_list_{v} ADD CONSTRAINT invoice_list_{v}_pkey PRIMARY KEY (aggregate_id, invoice_number)
    INCLUDE (due_date, line);
-- a page of one phase, in due-date order
CREATE INDEX invoice_list_{v}_phase ON invoice_list_{v} (administration, phase, due_date, invoice_number);
-- a page of one ageing bucket: open invoices by due date, covering the line the page shows, so a
-- page is read from a few index pages (an index-only scan) instead of one heap page per row, and
-- the cached generic plan (estimated as an index-only scan) wins over re-planning every call
CREATE INDEX invoice_list_{v}_open_due ON invoice_list_{v} (administration, due_date, invoice_number)
    INCLUDE (line)
    WHERE open_amount > 0;
-- claims that prescribe soon, in the list's order, so a page reads only the index entries it returns
CREATE INDEX invoice_list_{v}_prescribing ON invoice_list_{v} (administration, prescribes_on, invoice_number)
    INCLUDE (line)
    WHERE open_amount > 0;
