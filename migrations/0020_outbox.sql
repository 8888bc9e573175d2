-- Reminder delivery. A row is written in the same transaction as its `ReminderSent` event, so no
-- decided reminder is ever lost; `reminder_id` (the event's idempotency key) is the primary key and
-- `message_id` the stable Message-ID every (re)send carries. `message` is the snapshot the channel
-- renders (debtor, invoices, announced costs as decided), so delivery never reloads the aggregate.
CREATE TABLE outbox (
    reminder_id     uuid        NOT NULL PRIMARY KEY,
    administration  text        NOT NULL,
    aggregate_id    text        NOT NULL,
    channel         text        NOT NULL,
    message_id      text        NOT NULL UNIQUE,
    message         jsonb       NOT NULL,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);

CREATE INDEX outbox_pending ON outbox (administration, next_attempt_at) WHERE status = 'pending';
