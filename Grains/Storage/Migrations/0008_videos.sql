-- Douyin videos. The video file and its cover are media rows (content-addressed files).
-- published_ms is unique so that feed paging by time (strictly older than next_time) never
-- skips or repeats a video.
CREATE TABLE videos (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id      bigint NOT NULL REFERENCES users (id),
    title          text   NOT NULL,
    video_media_id bigint NOT NULL REFERENCES media (id),
    cover_media_id bigint NOT NULL REFERENCES media (id),
    published_ms   bigint NOT NULL UNIQUE
);
CREATE INDEX videos_by_author ON videos (author_id, published_ms DESC);
