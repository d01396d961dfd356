-- Hygeia server schema, version 1. The same SQL runs on SQLite and PostgreSQL: only types both
-- understand (BIGINT, TEXT), ids made by the server (random 63-bit), times as Unix seconds (UTC).
-- Everything is scoped organization > practice > host from the start.

-- An insurer (many practices) or a stand-alone practice (one).
CREATE TABLE organizations (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('insurer', 'practice')),
    created_at BIGINT NOT NULL
);

CREATE TABLE practices (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (organization_id, name)
);

-- insurer_analyst: reads every practice of its organization (practice_id is NULL).
-- practice_admin: manages its practice. clinician: sees only its own computers.
CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    practice_id BIGINT REFERENCES practices (id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('insurer_analyst', 'practice_admin', 'clinician')),
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    totp_secret TEXT,
    totp_enabled BIGINT NOT NULL DEFAULT 0,
    -- The last TOTP time step accepted, so a code cannot be used twice.
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

-- Only a SHA-256 of each session id is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    -- 1 once the second factor was given (or the role needs none).
    mfa_passed BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Tokens for scripts: they act as their user, without a browser session or CSRF token.
CREATE TABLE api_tokens (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE enroll_secrets (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    label TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    uses BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX enroll_secrets_practice ON enroll_secrets (practice_id);

CREATE TABLE hosts (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    -- The clinician who uses the computer, when an administrator has said so.
    owner_user_id BIGINT REFERENCES users (id),
    hostname TEXT NOT NULL,
    os TEXT NOT NULL,
    os_version TEXT NOT NULL,
    node_key_hash TEXT NOT NULL UNIQUE,
    enroll_secret_id BIGINT REFERENCES enroll_secrets (id),
    enrolled_at BIGINT NOT NULL,
    last_seen_at BIGINT,
    last_report_id BIGINT,
    -- SHA-256 of the last stored report's results, to answer "unchanged".
    last_results_hash TEXT,
    -- Failing controls in the latest report, and those of them critical or high: the
    -- overview's "most at risk" reads these instead of counting posture rows.
    failing BIGINT NOT NULL DEFAULT 0,
    failing_serious BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT
);
-- One index for a practice's computers, ordered by risk. last_seen_at is not indexed: it
-- changes with every report, and a practice's hosts are few enough to scan for silent ones.
CREATE INDEX hosts_practice_risk ON hosts (practice_id, failing_serious, failing);

-- The last report as the agent sent it (hygeia.check/1, deflate-compressed, base64), for the
-- computer's detail page. Kept apart from hosts so that scanning hosts stays cheap; history
-- keeps rows, not documents.
CREATE TABLE host_latest_report (
    host_id BIGINT PRIMARY KEY REFERENCES hosts (id),
    received_at BIGINT NOT NULL,
    body_deflate_base64 TEXT NOT NULL
);

-- One row per report whose results differ from the host's previous one. Unchanged reports only
-- move hosts.last_seen_at. Report ids grow with time, so new rows go to the end of the table.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY,
    host_id BIGINT NOT NULL REFERENCES hosts (id),
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    -- The agent's id for this report: a resent report is stored once.
    agent_report_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    collected_at BIGINT NOT NULL,
    results_hash TEXT NOT NULL,
    passed BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    UNIQUE (host_id, agent_report_id)
);

-- Append-only: one row per control result of each stored report. No primary key: rows are
-- only ever appended (in insertion order) and read by host, through the one index.
CREATE TABLE results (
    report_id BIGINT NOT NULL REFERENCES reports (id),
    host_id BIGINT NOT NULL REFERENCES hosts (id),
    control_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    observed_at BIGINT NOT NULL
);
CREATE INDEX results_host_control_time ON results (host_id, control_id, observed_at);

-- The latest result per host and control: what the overview reads.
CREATE TABLE host_posture (
    host_id BIGINT NOT NULL REFERENCES hosts (id),
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    control_id TEXT NOT NULL,
    status TEXT NOT NULL,
    severity TEXT NOT NULL,
    observed_at BIGINT NOT NULL,
    reason TEXT NOT NULL,
    -- When the status last changed (the timeline's "broke at" / "fixed at").
    since BIGINT NOT NULL,
    PRIMARY KEY (host_id, control_id)
);

-- Per practice and control: computers reporting it, passing (pass or attested) and failing,
-- over the latest result of every computer that is not revoked. Kept up to date by each stored
-- report (ingest.rs) and each revocation, so the overview never counts posture rows.
CREATE TABLE practice_control_stats (
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    control_id TEXT NOT NULL,
    hosts BIGINT NOT NULL,
    passing BIGINT NOT NULL,
    failing BIGINT NOT NULL,
    PRIMARY KEY (practice_id, control_id)
);

-- Daily roll-ups for trends: per practice, day and control, how many computers had each status
-- (as of the last roll-up of that day).
CREATE TABLE daily_rollups (
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    day TEXT NOT NULL,
    control_id TEXT NOT NULL,
    hosts BIGINT NOT NULL,
    passing BIGINT NOT NULL,
    failing BIGINT NOT NULL,
    other BIGINT NOT NULL,
    PRIMARY KEY (practice_id, day, control_id)
);

-- The same per practice and day over all controls, for the insurer's trends (one row per
-- practice and day instead of one per control).
CREATE TABLE daily_practice_rollups (
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    day TEXT NOT NULL,
    results BIGINT NOT NULL,
    passing BIGINT NOT NULL,
    failing BIGINT NOT NULL,
    PRIMARY KEY (practice_id, day)
);

-- What a person declared about a control on a computer (`hygeia attest`), kept for the
-- attestation report of any date: one row per answer, written when a report carries an answer
-- not seen before.
CREATE TABLE attestations (
    host_id BIGINT NOT NULL REFERENCES hosts (id),
    control_id TEXT NOT NULL,
    answer BIGINT NOT NULL,
    attested_by TEXT NOT NULL,
    attested_at BIGINT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (host_id, control_id, attested_at)
);

-- Every administrative action: who, what, when, from where.
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    organization_id BIGINT,
    practice_id BIGINT,
    user_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    ip TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX audit_log_org_time ON audit_log (organization_id, at);
