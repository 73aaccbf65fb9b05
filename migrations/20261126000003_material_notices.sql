-- Consent is given to a purpose as its notice stood. A change of its data categories, of the
-- system's recipients or retention, or of its legal basis is material: the purpose's
-- `material_version` moves to the new notice version, and grants made on an older version
-- no longer permit (`reconsent_required`) until the resident chooses again. A change of
-- wording alone makes a new version but is not material.
ALTER TABLE purposes ADD COLUMN material_version BIGINT NOT NULL DEFAULT 1;

-- What changed materially from the previous version (space-separated codes: categories,
-- recipients, retention, basis); empty for the first version and for wording changes.
ALTER TABLE purpose_notices ADD COLUMN changes TEXT NOT NULL DEFAULT '';
