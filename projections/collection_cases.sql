-- collection_cases: one row per collection case, with what it claimed when it started; the view
-- `collection_cases` points at the live build. Closed cases keep their row (closed_at set).
CREATE TABLE collection_cases_{v} (
    administration text        NOT NULL,
    debtor_code    text        NOT NULL,
    aggregate_id   text        NOT NULL,
    case_id        uuid        NOT NULL,
    invoices       jsonb       NOT NULL,
    principal      bigint      NOT NULL,
    costs          bigint      NOT NULL,
    vat_surcharge  bigint      NOT NULL,
    interest       bigint      NOT NULL,
    interest_from  date        NOT NULL,
    started_on     date        NOT NULL,
    rates_verified boolean     NOT NULL,
    costs_waived   boolean     NOT NULL,
    closed_at      timestamptz
);
-- indexes
ALTER TABLE collection_cases_{v} ADD CONSTRAINT collection_cases_{v}_pkey PRIMARY KEY (aggregate_id, case_id);
-- the open cases of an administration, newest first
CREATE INDEX collection_cases_{v}_open ON collection_cases_{v} (administration, started_on DESC, case_id)
    WHERE closed_at IS NULL;
