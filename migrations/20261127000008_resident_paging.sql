-- Residents' notifications are read a page at a time, newest first, after a cursor of
-- (time, id): each list's own index in that order, so a page reads only its own rows. (The
-- indexes that lead with `read_at_us` serve the unread counts; a resident's requests and
-- consent events already have `(user_id, created_at_us)` and `(user_id, at_us)`.)
CREATE INDEX notifications_user_time_idx ON notifications (user_id, at_us, id);
CREATE INDEX register_notifications_user_time_idx ON register_notifications (user_id, at_us, id);
