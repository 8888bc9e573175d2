-- import_log: one row per import run of an administration.
CREATE TABLE import_log_{v} (
    administration text        NOT NULL,
    import_id      uuid        NOT NULL,
    trigger        text,
    started_at     timestamptz,
    finished_at    timestamptz,
    status         text        NOT NULL,
    counts         jsonb,
    issues         jsonb       NOT NULL,
    error_kind     text,
    message        text
);
-- indexes
ALTER TABLE import_log_{v} ADD CONSTRAINT import_log_{v}_pkey PRIMARY KEY (administration, import_id);
CREATE INDEX import_log_{v}_recent ON import_log_{v} (administration, started_at DESC);
