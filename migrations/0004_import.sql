-- What each imported document looked like when it was last imported, so that an import diffs
-- set-based against it instead of loading every aggregate. Written in the same transaction as
-- the events the document produced.
CREATE TABLE import_document (
    -- Machine keys compared byte by byte, so a prefix scan (`LIKE 'admin|%'`) uses this index.
    key            text COLLATE "C" NOT NULL PRIMARY KEY,
    administration text        NOT NULL,
    content_hash   text        NOT NULL,
    -- Which view of the books showed it (3 invoicing module, 2 mutation, 1 open item, 0 other):
    -- a lower view never overrides a higher one.
    source         smallint    NOT NULL,
    aggregate_id   text        NOT NULL,
    imported_at    timestamptz NOT NULL DEFAULT now()
);

-- The highest GetMutaties `MutatieNr` imported, per administration.
CREATE TABLE import_cursor (
    administration text        NOT NULL PRIMARY KEY,
    mutatie_nr     bigint      NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- GetMutaties calls per administration and month, against a budget well below the 5,000 quota.
CREATE TABLE soap_call_budget (
    administration text    NOT NULL,
    month          text    NOT NULL,
    calls          integer NOT NULL DEFAULT 0,
    exhausted      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (administration, month)
);
