-- Bearer tokens of the HTTP API. Only the SHA-256 of a token is kept: the token itself is shown
-- once, when it is created. A token reads the administrations it names, and writes to them only
-- when `can_write` is set.
CREATE TABLE api_token (
    hash            text        NOT NULL PRIMARY KEY,
    administrations text[]      NOT NULL,
    can_write       boolean     NOT NULL DEFAULT false,
    label           text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
