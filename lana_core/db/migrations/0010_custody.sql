-- Custody: unique custodian names, wallet lookups, and the inbox of custodians' webhooks.

CREATE SCHEMA custody;

CREATE UNIQUE INDEX entities_custodian_name_idx ON core.entities ((lower(state->>'name')))
    WHERE stream_type = 'custodian';
-- A custodian's wallet id names one wallet; an owner (a credit facility) has at most one wallet.
CREATE UNIQUE INDEX entities_custody_wallet_external_idx
    ON core.entities ((state->>'custodian_id'), (state->>'external_wallet_id'))
    WHERE stream_type = 'custody_wallet';
CREATE UNIQUE INDEX entities_custody_wallet_owner_idx ON core.entities ((state->>'owner_id'))
    WHERE stream_type = 'custody_wallet';

-- Every webhook delivery a custodian made, with what Lana did with it. A processed delivery's
-- idempotency key (header `idempotency-key`, else the signature) makes its replay a no-op.
-- headers: only those custody reads (signature, timestamp, idempotency key).
CREATE TABLE custody.webhooks (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at         timestamptz NOT NULL,
    custodian_id        uuid NOT NULL,
    idempotency_key     text,
    outcome             text NOT NULL CHECK (outcome IN ('processed', 'duplicate', 'ignored', 'rejected', 'failed')),
    reason              text,
    external_wallet_id  text,
    wallet_id           uuid,
    balance_sats        bigint,
    headers             jsonb NOT NULL,
    body                text NOT NULL,
    xact_id             bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE UNIQUE INDEX webhooks_processed_idx ON custody.webhooks (custodian_id, idempotency_key)
    WHERE outcome = 'processed';
CREATE INDEX webhooks_custodian_idx ON custody.webhooks (custodian_id, id);
CREATE TRIGGER webhooks_append_only BEFORE UPDATE OR DELETE ON custody.webhooks
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER webhooks_no_truncate BEFORE TRUNCATE ON custody.webhooks
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();
