-- audit_trail: every link and unlink (administration, payments, credit notes) with who and why.
CREATE TABLE audit_trail_{v} (
    administration  text        NOT NULL,
    aggregate_type  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    sequence        bigint      NOT NULL,
    log_tx          bigint      NOT NULL,
    global_position bigint      NOT NULL,
    recorded_at     timestamptz NOT NULL,
    event_type      text        NOT NULL,
    link_id         uuid,
    invoice_number  text,
    document        text,
    costs           bigint,
    interest        bigint,
    principal       bigint,
    event_reason    text,
    actor           text,
    reason          text,
    command_id      text,
    correlation_id  text,
    source          text
);
-- indexes
ALTER TABLE audit_trail_{v} ADD CONSTRAINT audit_trail_{v}_pkey PRIMARY KEY (aggregate_type, aggregate_id, sequence);
CREATE INDEX audit_trail_{v}_order ON audit_trail_{v} (administration, log_tx, global_position);
CREATE INDEX audit_trail_{v}_link ON audit_trail_{v} (link_id) WHERE link_id IS NOT NULL;
