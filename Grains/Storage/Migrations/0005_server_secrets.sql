-- Secrets every node of a cluster must share, generated once by whichever node starts first
-- (the token signing key). Readable only by whoever can read the database.
CREATE TABLE server_secrets (
    name       text PRIMARY KEY,
    value      bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
