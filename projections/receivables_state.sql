-- receivables_state: the folded view of each debtor account, so an incremental batch continues
-- where the last one stopped without replaying the account's stream.
CREATE TABLE receivables_state_{v} (
    aggregate_id text NOT NULL,
    state        json NOT NULL
);
-- indexes
ALTER TABLE receivables_state_{v} ADD CONSTRAINT receivables_state_{v}_pkey PRIMARY KEY (aggregate_id);
