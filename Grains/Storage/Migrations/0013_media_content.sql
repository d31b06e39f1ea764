-- Media bytes kept in the database (GoChat:Media:Storage=database), so every WebFront serves
-- every upload: one row per 1 MiB chunk of a content file, keyed like the files (by SHA-256; a
-- content shared by several uploads is stored once). All chunks of a content are written in one
-- transaction, so a content is either whole here or absent. Media is mostly compressed already:
-- EXTERNAL keeps PostgreSQL from trying to compress it again (it is still stored out of line).
CREATE TABLE media_content (
    sha256  text    NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    chunk   integer NOT NULL CHECK (chunk >= 0),
    data    bytea   NOT NULL,
    PRIMARY KEY (sha256, chunk)
);
ALTER TABLE media_content ALTER COLUMN data SET STORAGE EXTERNAL;
