-- The yearly surveillance report per system (after Boston's ordinance, §16-63.5): the
-- figures come from the logs and the register; these are the sections officers write.
CREATE TABLE yearly_report_texts (
    year          BIGINT NOT NULL,
    system_slug   TEXT NOT NULL,
    section       TEXT NOT NULL CHECK (section IN ('summary', 'effectiveness', 'civil_rights', 'changes')),
    body          TEXT NOT NULL,
    updated_by    TEXT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    PRIMARY KEY (year, system_slug, section)
);
