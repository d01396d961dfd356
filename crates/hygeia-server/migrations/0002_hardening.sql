-- Hygeia server schema, version 2: security hardening.

-- Wrong authenticator codes, counted apart from wrong passwords: a correct password must not
-- clear them, or a known password would buy unlimited code guesses. Cleared by a right code.
ALTER TABLE users ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0;

-- Wrong codes in this session: a session that waits for its code ends after a few.
ALTER TABLE sessions ADD COLUMN failed_codes BIGINT NOT NULL DEFAULT 0
