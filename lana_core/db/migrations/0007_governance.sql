-- Governance lookups that must be unique: committee names, and one policy per process type.
CREATE UNIQUE INDEX entities_committee_name_idx ON core.entities ((lower(state->>'name')))
    WHERE stream_type = 'committee';
CREATE UNIQUE INDEX entities_policy_process_type_idx ON core.entities ((state->>'process_type'))
    WHERE stream_type = 'approval_policy';
