-- Keys for the keyset-paginated douyin lists (newest first, ties broken by the other id), and
-- for counting a user's follows and likes when their grain activates.
CREATE INDEX follows_by_follower_created ON follows (follower_id, created_at DESC, followee_id DESC);
CREATE INDEX follows_by_followee_created ON follows (followee_id, created_at DESC, follower_id DESC);
CREATE INDEX favorites_by_user_created ON favorites (user_id, created_at DESC, video_id DESC);
