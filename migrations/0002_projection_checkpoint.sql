-- Where each projection has read up to in the global order, written in the same transaction as its rows.
CREATE TABLE projection_checkpoint (
    name       text        NOT NULL,
    version    integer     NOT NULL,
    last_tx    xid8        NOT NULL DEFAULT '0',
    last_pos   bigint      NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, version)
);
