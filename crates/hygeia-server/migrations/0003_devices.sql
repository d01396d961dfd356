-- Hygeia server schema, version 3: the practice's medical and IT devices (`hygeia devices` in
-- the dashboard).

-- Every inventory a practice administrator uploaded, as uploaded (deflate-compressed, base64):
-- the latest is in force and is matched again after each advisory update; the earlier ones are
-- the asset inventory of past attestation reports.
CREATE TABLE device_inventories (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    uploaded_at BIGINT NOT NULL,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    file_name TEXT NOT NULL,
    devices BIGINT NOT NULL,
    -- Rows left out, each with its reason in problems (one per line).
    skipped_rows BIGINT NOT NULL,
    problems TEXT NOT NULL,
    body_deflate_base64 TEXT NOT NULL,
    -- The latest match of this inventory: when, against which advisories.
    matched_at BIGINT,
    advisories TEXT NOT NULL DEFAULT '',
    -- The store snapshot matched against ('' for none): a new snapshot means a new match.
    snapshot TEXT NOT NULL DEFAULT ''
);
CREATE INDEX device_inventories_practice_time ON device_inventories (practice_id, uploaded_at);

-- The devices of each inventory, in the order listed.
CREATE TABLE devices (
    inventory_id BIGINT NOT NULL REFERENCES device_inventories (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    vendor TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    operating_system TEXT NOT NULL,
    segment TEXT NOT NULL,
    life_critical BIGINT NOT NULL,
    stores_phi BIGINT NOT NULL,
    patch_owner TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (inventory_id, position)
);

-- The findings of an inventory's latest match (replaced by each new match).
CREATE TABLE device_findings (
    inventory_id BIGINT NOT NULL REFERENCES device_inventories (id),
    position BIGINT NOT NULL,
    device_name TEXT NOT NULL,
    device_label TEXT NOT NULL,
    advisory TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    product TEXT NOT NULL,
    cves TEXT NOT NULL,
    basis TEXT NOT NULL,
    basis_note TEXT NOT NULL,
    priority TEXT NOT NULL,
    -- 3 critical, 2 high, 1 medium, 0 low: for counting and sorting.
    priority_rank BIGINT NOT NULL,
    priority_reasons TEXT NOT NULL,
    kev BIGINT NOT NULL,
    ransomware BIGINT NOT NULL,
    -- One line per step: "category<TAB>details<TAB>url".
    remediation TEXT NOT NULL,
    -- The device's `source` (file:line): joins a finding to its row of devices.
    device_source TEXT NOT NULL,
    PRIMARY KEY (inventory_id, position)
);
CREATE INDEX device_findings_device ON device_findings (inventory_id, device_source);

-- HY-MD-101..104 of each practice as last measured on its inventory.
CREATE TABLE practice_device_controls (
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    control_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    reason TEXT NOT NULL,
    -- The devices behind a failure, one per line.
    evidence TEXT NOT NULL,
    observed_at BIGINT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (practice_id, control_id)
);

-- When each of those changed, for the attestation report of a past day.
CREATE TABLE practice_device_control_changes (
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    control_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX practice_device_control_changes_time ON practice_device_control_changes (practice_id, control_id, at);
