-- Public review before a system goes live (or before a change that adds facial recognition,
-- biometrics, licence-plate reading, a purpose or a data category takes effect): the
-- proposal and its impact report, a comment period, the office's answer, the decision.
--
-- `proposal` is the system's register record as it would stand (the register file's shape);
-- it is applied when an approved review is activated. `report` maps each section of the
-- impact report to its texts; `reasons` lists why the review was needed.
CREATE TABLE system_reviews (
    id             TEXT PRIMARY KEY,
    system_slug    TEXT NOT NULL,
    stage          TEXT NOT NULL,
    reasons        TEXT NOT NULL,
    proposal       TEXT NOT NULL,
    report         TEXT NOT NULL,
    comment_days   BIGINT NOT NULL,
    opens_on       TEXT,
    closes_on      TEXT,
    answer         TEXT,
    answered_on    TEXT,
    decided_by     TEXT,
    decided_on     TEXT,
    reasoning      TEXT,
    proposed_by    TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    published_us   BIGINT,
    decided_us     BIGINT
);
CREATE INDEX system_reviews_slug_idx ON system_reviews (system_slug, created_at);
CREATE INDEX system_reviews_stage_idx ON system_reviews (stage);

-- One comment per person per section, editable until the period closes. Public without the
-- author's name; an officer may hide one, with a reason that stays public.
CREATE TABLE review_comments (
    id            TEXT PRIMARY KEY,
    review_id     TEXT NOT NULL REFERENCES system_reviews (id),
    section       TEXT NOT NULL,
    user_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    hidden_reason TEXT,
    hidden_by     TEXT,
    UNIQUE (review_id, section, user_id)
);
CREATE INDEX review_comments_review_idx ON review_comments (review_id, section, created_at);

-- Staff who may edit the register (admins always may; officers once an admin grants it).
CREATE TABLE register_editors (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_by TEXT NOT NULL,
    granted_at BIGINT NOT NULL
);
