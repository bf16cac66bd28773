-- The bitcoin price: provider names are unique, and every published price is kept.

CREATE SCHEMA price;

CREATE UNIQUE INDEX entities_price_provider_name_idx ON core.entities ((lower(state->>'name')))
    WHERE stream_type = 'price_provider';

-- Every published price of one bitcoin, in integer US cents: the median of the quotes of the
-- providers that answered (`sources`, with each one's quote in `quotes`), and the active
-- providers that failed (`failures`: name -> why). Written with the PriceUpdated outbox message.
CREATE TABLE price.prices (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recorded_at          timestamptz NOT NULL,
    price_cents_per_btc  bigint NOT NULL CHECK (price_cents_per_btc > 0),
    sources              text[] NOT NULL CHECK (cardinality(sources) > 0),
    quotes               jsonb NOT NULL,
    failures             jsonb NOT NULL DEFAULT '{}'::jsonb,
    xact_id              bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE INDEX prices_recorded_idx ON price.prices (recorded_at, id);
CREATE INDEX prices_xact_idx ON price.prices (xact_id);
CREATE TRIGGER prices_append_only BEFORE UPDATE OR DELETE ON price.prices
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER prices_no_truncate BEFORE TRUNCATE ON price.prices
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();
