-- Hygeia server schema, version 2: security hardening.

-- Wrong authenticator codes, counted apart from wrong passwords: a correct password must not
-- clear them, or a known password would buy unlimited code guesses. Cleared by a right code.
ALTER TABLE users ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0;

-- Wrong codes in this session: a session that waits for its code ends after a few.
ALTER TABLE sessions ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0;

-- When each control's status changed on a computer (broke, was fixed), written by ingestion:
-- the computer's page and the attestation report read these instead of every result row.
CREATE TABLE host_changes (
    host_id BIGINT NOT NULL REFERENCES hosts (id),
    control_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    severity TEXT NOT NULL
);
CREATE INDEX host_changes_host_time ON host_changes (host_id, at);
CREATE INDEX host_changes_host_control_time ON host_changes (host_id, control_id, at);

-- The changes in the history stored before this version.
INSERT INTO host_changes (host_id, control_id, at, from_status, to_status, severity)
SELECT host_id, control_id, observed_at, previous, status, severity FROM (
    SELECT host_id, control_id, observed_at, status, severity,
           LAG(status) OVER (PARTITION BY host_id, control_id ORDER BY observed_at, report_id) AS previous
    FROM results
) ordered
WHERE previous IS NULL OR previous <> status;

-- What an API token may do: 'read' (the default) or 'write' (manage enroll secrets and
-- computers). Credentials, second factors and roles change only from a signed-in session.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'read'
