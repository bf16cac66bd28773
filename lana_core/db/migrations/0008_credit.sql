-- Credit lookups, and the log of periodic job runs.

CREATE UNIQUE INDEX entities_terms_template_name_idx ON core.entities ((lower(state->>'name')))
    WHERE stream_type = 'terms_template';
-- Facilities are found by customer and status, obligations and cycles by facility.
CREATE INDEX entities_credit_facility_idx ON core.entities ((state->>'facility_id'))
    WHERE stream_type IN ('credit_obligation', 'credit_interest_cycle', 'credit_disbursal', 'credit_payment',
                          'credit_liquidation');

-- Every run of a periodic job (end of day, price fetch): what it did, for operators.
CREATE TABLE core.job_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job          text NOT NULL,
    day          date,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('completed', 'completed_with_failures', 'failed')),
    summary      jsonb NOT NULL,
    xact_id      bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE TRIGGER job_runs_append_only BEFORE UPDATE OR DELETE ON core.job_runs
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
