-- Douyin likes and comments. Unbounded, so in tables; video grains keep only the counters.
CREATE TABLE favorites (
    user_id    bigint      NOT NULL REFERENCES users (id),
    video_id   bigint      NOT NULL REFERENCES videos (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, video_id)
);
CREATE INDEX favorites_by_video ON favorites (video_id);

CREATE TABLE comments (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    video_id   bigint      NOT NULL REFERENCES videos (id),
    user_id    bigint      NOT NULL REFERENCES users (id),
    content    text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_by_video ON comments (video_id, id DESC);
