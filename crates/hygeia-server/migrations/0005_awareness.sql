-- Hygeia server schema, version 5: phishing awareness. A practice's SMTP relay for simulations,
-- administrators' copies of simulation templates, campaigns and what each recipient did, and
-- the training modules people completed (HY-EM-002).

-- One relay per practice. The password is sealed with the server's key, like authenticator
-- secrets; `security` is starttls, tls (implicit) or plain (only to a relay on loopback).
CREATE TABLE smtp_relays (
    practice_id BIGINT PRIMARY KEY REFERENCES practices (id),
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    security TEXT NOT NULL CHECK (security IN ('starttls', 'tls', 'plain')),
    username TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    -- The sender of every simulation ("simulations@clinic.example"); display names vary.
    from_address TEXT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

-- Where the practice's people forward suspicious messages. The server reads it read-only
-- (EXAMINE, BODY.PEEK) every few minutes; a forwarded simulation counts as reported.
CREATE TABLE report_mailboxes (
    practice_id BIGINT PRIMARY KEY REFERENCES practices (id),
    host TEXT NOT NULL,
    port BIGINT NOT NULL,
    security TEXT NOT NULL CHECK (security IN ('tls', 'starttls')),
    username TEXT NOT NULL,
    password_sealed TEXT NOT NULL,
    folder TEXT NOT NULL,
    checked_at BIGINT,
    last_error TEXT,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at BIGINT NOT NULL
);

-- An administrator's edited copy of a shipped template (the whole template as JSON).
CREATE TABLE simulation_templates (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    based_on TEXT NOT NULL,
    template_json TEXT NOT NULL,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- A campaign keeps the template as it was sent, so later edits do not change its history.
CREATE TABLE campaigns (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    name TEXT NOT NULL,
    template_json TEXT NOT NULL,
    -- The server's address as the administrator's browser reached it ("https://hygeia.clinic.example"):
    -- the links in the messages start with it.
    link_base TEXT NOT NULL,
    -- Messages go out spread between these times.
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    -- Open tracking (a pixel) is off unless the administrator turns it on.
    track_opens BIGINT NOT NULL DEFAULT 0,
    -- Whether the insurer's analysts may see who clicked (otherwise only counts).
    share_names BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    cancelled_at BIGINT
);

-- One row per person of a campaign. Only the hash of the person's link token is kept; the
-- token is made when the message is sent. No typed value is ever stored: `submitted_at` says
-- only that something was typed on the landing page.
CREATE TABLE campaign_recipients (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT UNIQUE,
    send_at BIGINT NOT NULL,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    opened_at BIGINT,
    clicked_at BIGINT,
    submitted_at BIGINT,
    reported_at BIGINT,
    PRIMARY KEY (campaign_id, user_id)
);

CREATE INDEX campaign_recipients_due ON campaign_recipients (sent_at, send_at);

-- Training modules assigned to a person (yearly, after a click, or by an administrator) and
-- every finished quiz. A module counts as completed with at least its pass score.
CREATE TABLE training_assignments (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    module_id TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('yearly', 'clicked', 'admin')),
    campaign_id BIGINT REFERENCES campaigns (id),
    assigned_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    completed_at BIGINT
);

CREATE TABLE training_results (
    id BIGINT PRIMARY KEY,
    practice_id BIGINT NOT NULL REFERENCES practices (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    module_id TEXT NOT NULL,
    score BIGINT NOT NULL,
    questions BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    finished_at BIGINT NOT NULL
);

CREATE INDEX training_results_user ON training_results (user_id, finished_at);
