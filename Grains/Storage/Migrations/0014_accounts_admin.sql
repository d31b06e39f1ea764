-- Administrators and account lifecycle (docs/security-accounts.md): disabled accounts, passwords
-- reset by an administrator, one row per signed-in session, and the audit of administrators' actions.

-- Set by an administrator; a disabled account cannot sign in and its sessions are ended.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
-- Set when an administrator reset the password: the next session may only choose a new one.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
-- Counting administrators ("never revoke the last one") reads only these rows.
CREATE INDEX users_admins ON users (id) WHERE is_admin;

-- One row per signed-in session: a token carries its id ("sid") and is good while the row is here
-- (and its token version is current). Written by the user grain, which holds a user's rows in
-- memory while active; last_seen_at is written at most once a minute per session.
CREATE TABLE sessions (
    id           uuid        PRIMARY KEY,
    user_id      bigint      NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    user_agent   text        NOT NULL DEFAULT '',
    address      text        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- Every administrator's action, written in the same transaction as the change it made.
-- actor_id null: the server itself (GoChat:Admins at start, the first account of a server).
CREATE TABLE admin_audit (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  bigint      REFERENCES users (id),
    action    text        NOT NULL,
    target_id bigint      NOT NULL REFERENCES users (id),
    detail    text        NOT NULL DEFAULT ''
);
