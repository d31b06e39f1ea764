-- Chatbot users (docs/bots.md). A bot is a row of users (is_bot) plus its row here, written from
-- configuration at start-up: a bot removed from configuration is disabled, its messages stay.
CREATE TABLE bots (
    user_id    bigint      PRIMARY KEY REFERENCES users (id),
    enabled    boolean     NOT NULL DEFAULT true,
    provider   text        NOT NULL,
    model      text        NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Tokens each bot used per UTC day, as its provider reported them (estimated when it did not).
CREATE TABLE bot_usage (
    bot_id            bigint  NOT NULL REFERENCES users (id),
    day               date    NOT NULL,
    prompt_tokens     bigint  NOT NULL DEFAULT 0,
    completion_tokens bigint  NOT NULL DEFAULT 0,
    replies           integer NOT NULL DEFAULT 0,
    PRIMARY KEY (bot_id, day)
);

-- A bot's reply is stored when it starts (status 1 streaming) and finished once: 0 complete,
-- 2 stopped, 3 failed, with a notice saying why. A constant default adds the column without a rewrite.
ALTER TABLE messages ADD COLUMN status smallint NOT NULL DEFAULT 0, ADD COLUMN notice text;
-- Replies left streaming by a silo that died are found (and marked interrupted) without a scan.
CREATE INDEX messages_streaming ON messages (conversation_id, sender_id) WHERE status = 1;
