-- The users directory: one row per account, the source of truth for profiles and credentials.
-- User grains cache a row while active and write through on every change.
CREATE TABLE users (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text        NOT NULL,
    display_name    text        NOT NULL,
    password_hash   text        NOT NULL,
    avatar_url      text        NOT NULL DEFAULT '',
    signature       text        NOT NULL DEFAULT '',
    phone           text        NOT NULL DEFAULT '',
    email           text        NOT NULL DEFAULT '',
    is_bot          boolean     NOT NULL DEFAULT false,
    is_admin        boolean     NOT NULL DEFAULT false,
    token_version   integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    login_at        timestamptz,
    logout_at       timestamptz,
    client_ip       text        NOT NULL DEFAULT '',
    device_info     text        NOT NULL DEFAULT '',
    deleted_at      timestamptz
);

-- Names are unique case-insensitively (also for closed accounts: a name is never reused).
-- text_pattern_ops lets the same index serve prefix search (lower(username) LIKE 'ab%').
CREATE UNIQUE INDEX users_username_lower ON users (lower(username) text_pattern_ops);
