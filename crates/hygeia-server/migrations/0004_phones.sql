-- Hygeia server schema, version 4: phones and tablets, each the latest record of one phone of a
-- practice (from the phone check page, `hygeia phone check` or an MDM export), and the
-- single-use links of the phone check page.

CREATE TABLE phones (
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    -- hygeia_phone::record::identifier: a hash of the serial number or device id.
    phone_key TEXT NOT NULL,
    -- The dashboard user it belongs to, when known (phone check page).
    owner_user_id BIGINT REFERENCES users (id),
    -- The owner as the source names them (email or UPN).
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    family TEXT NOT NULL,
    os_version TEXT NOT NULL,
    security_patch TEXT NOT NULL,
    model TEXT NOT NULL,
    -- usb, browser, intune, google-workspace.
    source TEXT NOT NULL,
    seen_at BIGINT NOT NULL,
    -- The worst result of HY-PH-001..004, and HY-PH-001's alone (the update state).
    status TEXT NOT NULL,
    updates_status TEXT NOT NULL,
    -- The whole hygeia_phone::PhoneRecord: facts (measured and answered apart) and results.
    record_json TEXT NOT NULL,
    PRIMARY KEY (practice_id, phone_key)
);

-- Links to the phone check page: only the token's hash is kept; a link works once, until it
-- expires.
CREATE TABLE phone_links (
    token_hash TEXT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
