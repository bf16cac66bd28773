-- Customers: unique emails, and the log of KYC-provider webhooks (accepted or not).

CREATE SCHEMA customer;

CREATE UNIQUE INDEX entities_customer_email_idx ON core.entities ((lower(state->>'email')))
    WHERE stream_type = 'customer';

-- Every webhook call the KYC provider made, with what Lana did with it. `digest` (sha256 of the
-- body) makes a replayed delivery a no-op.
CREATE TABLE customer.kyc_webhooks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at  timestamptz NOT NULL,
    digest       text NOT NULL,
    outcome      text NOT NULL CHECK (outcome IN ('processed', 'duplicate', 'ignored', 'rejected')),
    reason       text,
    customer_id  uuid,
    body         text NOT NULL,
    xact_id      bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE UNIQUE INDEX kyc_webhooks_processed_idx ON customer.kyc_webhooks (digest) WHERE outcome = 'processed';
CREATE TRIGGER kyc_webhooks_append_only BEFORE UPDATE OR DELETE ON customer.kyc_webhooks
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
