-- Event store, entity read model, outbox and consumer positions.

CREATE SCHEMA core;

-- Every event of every entity. (stream_id, version) is the key: two writers appending the same
-- version of one entity collide here, and the later one gets a conflict instead of a lost update.
CREATE TABLE core.events (
    stream_id       uuid NOT NULL,
    version         integer NOT NULL CHECK (version > 0),
    stream_type     text NOT NULL,      -- the kind of entity: customer, deposit_account, ...
    event_type      text NOT NULL,      -- the event's name: CustomerCreated, AccountFrozen, ...
    payload         jsonb NOT NULL,
    recorded_at     timestamptz NOT NULL,
    actor           text NOT NULL,      -- who caused it: user:<id>, system:<name>, customer:<id>
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id(),
    PRIMARY KEY (stream_id, version)
);
CREATE INDEX events_type_idx ON core.events (stream_type, event_type);
CREATE INDEX events_xact_idx ON core.events (xact_id);
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON core.events
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON core.events
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();

-- The current state of every entity, written with its events in the same transaction: a read
-- model for lists and lookups (the events stay the truth). Lookups that must be unique get a
-- unique expression index (see the contexts' migrations).
CREATE TABLE core.entities (
    stream_id    uuid PRIMARY KEY,
    stream_type  text NOT NULL,
    version      integer NOT NULL,
    state        jsonb NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    xact_id      bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE INDEX entities_type_idx ON core.entities (stream_type, created_at);
CREATE TRIGGER entities_touch BEFORE UPDATE ON core.entities
    FOR EACH ROW EXECUTE FUNCTION lana_touch_xact();
CREATE TRIGGER entities_no_delete BEFORE DELETE ON core.entities
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();

-- Messages for other contexts, written in the transaction that caused them. `position` is the
-- global order of writing; consumers read in (xact_id, position) order and only below the oldest
-- running transaction, so a message that commits late is never skipped.
CREATE TABLE core.outbox (
    position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_type  text NOT NULL,
    payload       jsonb NOT NULL,
    recorded_at   timestamptz NOT NULL,
    xact_id       bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE INDEX outbox_xact_position_idx ON core.outbox (xact_id, position);
CREATE TRIGGER outbox_append_only BEFORE UPDATE OR DELETE ON core.outbox
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();

-- Where each consumer stands. Updated in the same transaction as the consumer's effects.
CREATE TABLE core.consumer_positions (
    consumer       text PRIMARY KEY,
    last_xact_id   bigint NOT NULL DEFAULT 0,
    last_position  bigint NOT NULL DEFAULT 0,
    processed      bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    -- The last failure, kept until a message is processed again.
    last_error     text,
    failures       integer NOT NULL DEFAULT 0
);
