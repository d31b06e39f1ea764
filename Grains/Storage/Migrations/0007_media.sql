-- Uploaded media: one row per upload. The bytes live in files named by their SHA-256 under the
-- media directory (content addressed: identical uploads share one file); this table is who
-- uploaded what, and how to serve it. The client's file name is metadata only, never a path.
CREATE TABLE media (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uploader_id   bigint      NOT NULL REFERENCES users (id),
    sha256        text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type  text        NOT NULL,
    kind          text        NOT NULL CHECK (kind IN ('image', 'audio', 'video', 'file')),
    size          bigint      NOT NULL CHECK (size > 0),
    name          text        NOT NULL DEFAULT '' CHECK (length(name) <= 255),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX media_uploader ON media (uploader_id, id);
-- Which rows share a file: needed before a file may ever be deleted.
CREATE INDEX media_sha256 ON media (sha256);
