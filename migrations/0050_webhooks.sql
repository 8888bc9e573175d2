-- Signed webhooks (Standard Webhooks): the systems around the engine subscribe to its business
-- events per administration. Deliveries are derived from the global order of the events by one
-- checkpointed runner and sent at least once by workers that lease them.

CREATE TABLE webhook_subscription (
    id                  uuid        NOT NULL PRIMARY KEY,
    administration      text        NOT NULL,
    url                 text        NOT NULL,
    -- The dotted event types it wants (`invoice.paid`, …); empty: every type.
    event_types         text[]      NOT NULL DEFAULT '{}',
    -- The signing secret, sealed with the credentials key; the subscription id is the associated data.
    key_id              text        NOT NULL,
    nonce               bytea       NOT NULL,
    ciphertext          bytea       NOT NULL,
    -- After a rotation the previous secret signs beside the new one until `previous_until`.
    previous_key_id     text,
    previous_nonce      bytea,
    previous_ciphertext bytea,
    previous_until      timestamptz,
    active              boolean     NOT NULL DEFAULT true,
    disabled_reason     text,
    -- Events at or before this position of the global order (the head when it was made) are not its.
    from_tx             xid8        NOT NULL,
    from_pos            bigint      NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_subscription_active ON webhook_subscription (administration) WHERE active;

-- One message to one subscription. `id` is the `webhook-id` header: the same on every attempt and
-- on a replay, so a consumer that has seen it does nothing again. `body` is the exact text signed.
CREATE TABLE webhook_delivery (
    id              text        NOT NULL PRIMARY KEY,
    subscription_id uuid        NOT NULL REFERENCES webhook_subscription ON DELETE CASCADE,
    event_type      text        NOT NULL,
    body            text        NOT NULL,
    event_tx        xid8        NOT NULL,
    event_pos       bigint      NOT NULL,
    -- When the event was recorded: a replay names a time range of these.
    recorded_at     timestamptz NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The retry schedule counts the attempts after this many (a replay starts it again).
    schedule_from   integer     NOT NULL DEFAULT 0 CHECK (schedule_from >= 0),
    -- Counts the replays asked for: an attempt in flight during one does not mark it delivered.
    replays         integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A worker that took the delivery holds it until `leased_until`; its outcome counts only while
    -- the lease is still its own.
    lease_owner     uuid,
    leased_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);

CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_by_subscription ON webhook_delivery (subscription_id, recorded_at);

-- Every attempt, for the delivery log.
CREATE TABLE webhook_attempt (
    delivery_id   text        NOT NULL REFERENCES webhook_delivery ON DELETE CASCADE,
    attempt       integer     NOT NULL,
    at            timestamptz NOT NULL DEFAULT now(),
    -- The receiver's HTTP status; none when it did not answer.
    status_code   integer,
    latency_ms    bigint      NOT NULL,
    -- The first bytes of the answer, or why there was none.
    response_head text        NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, attempt)
);

-- What happened to a subscription by itself: disabled by a 410 or after the retry schedule ran out.
CREATE TABLE webhook_notice (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id uuid        NOT NULL REFERENCES webhook_subscription ON DELETE CASCADE,
    at              timestamptz NOT NULL DEFAULT now(),
    kind            text        NOT NULL,
    message         text        NOT NULL
);

-- Where the deriving runner has read up to in the global order; one row, written with the deliveries.
CREATE TABLE webhook_cursor (
    id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
    last_tx  xid8    NOT NULL DEFAULT '0',
    last_pos bigint  NOT NULL DEFAULT 0
);
INSERT INTO webhook_cursor (id) VALUES (1);
