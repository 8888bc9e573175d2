-- The accounting package's security codes, encrypted with an AEAD key from configuration
-- (ChaCha20-Poly1305; the administration id is the associated data). Deleted on unlink.
CREATE TABLE link_credentials (
    administration text        NOT NULL PRIMARY KEY,
    key_id         text        NOT NULL,
    nonce          bytea       NOT NULL,
    ciphertext     bytea       NOT NULL,
    stored_at      timestamptz NOT NULL DEFAULT now()
);
