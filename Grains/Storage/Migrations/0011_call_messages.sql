-- Calls leave one message of kind 7 ("call") in their conversation, posted when the call starts and
-- updated in place when it ends. What the call was and how it ended travels with the message.
-- call: {"callId", "media", "outcome" (null while the call rings or runs), "durationSeconds", "endedAt"}
ALTER TABLE messages ADD COLUMN call jsonb;

-- The calls still ringing or running, by conversation: what Sync shows a reconnecting client.
CREATE INDEX messages_open_calls ON messages (conversation_id) WHERE kind = 7 AND (call ->> 'outcome') IS NULL;
