-- A system's versions also keep its located devices (issue 16's map and signs): placing,
-- moving, relabelling or removing a device is a change of the register like any other, in
-- the system's public history and the change feed. JSON, the devices as the register file
-- writes them, by code; NULL in versions recorded before devices were kept.
ALTER TABLE system_versions ADD COLUMN devices TEXT;
