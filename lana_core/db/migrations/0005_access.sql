-- Access control: Casbin policy rules, the policy version, and the audit log.

CREATE SCHEMA access;

-- Casbin's rules (the pycasbin adapter reads this table):
--   p, <permission set>, <object pattern>, <action>
--   g, role:<name>, <permission set>
--   g, user:<id>, role:<name>
CREATE TABLE access.casbin_rules (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ptype  text NOT NULL,
    v0     text NOT NULL,
    v1     text NOT NULL,
    v2     text,
    UNIQUE NULLS NOT DISTINCT (ptype, v0, v1, v2)
);

-- Bumped in the same transaction as any change of the rules: enforcers reload when it moves,
-- so a change takes effect at the next check, without a restart.
CREATE TABLE access.policy_version (
    id       integer PRIMARY KEY CHECK (id = 1),
    version  bigint NOT NULL
);
INSERT INTO access.policy_version VALUES (1, 0);

-- Every operation, allowed or not: who (subject), on what (object), doing what (action), and how
-- it ended: allowed (done), denied (no permission) or refused (bad input or wrong state).
CREATE TABLE access.audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at  timestamptz NOT NULL,
    subject      text NOT NULL,
    object       text NOT NULL,
    action       text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'refused', 'failed')),
    reason       text,
    xact_id      bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE INDEX audit_log_subject_idx ON access.audit_log (subject, recorded_at);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON access.audit_log
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON access.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();

-- Users are found by email and roles by name: both unique.
CREATE UNIQUE INDEX entities_user_email_idx ON core.entities ((lower(state->>'email')))
    WHERE stream_type = 'user';
CREATE UNIQUE INDEX entities_role_name_idx ON core.entities ((state->>'name'))
    WHERE stream_type = 'role';
