-- Every state an entity has been in: the fold of its events after each save, written with them
-- in the same transaction (append-only). The warehouse reads an entity's history from here
-- without re-implementing each entity's rules in SQL; core.entities keeps the current state.
CREATE TABLE core.entity_versions (
    stream_id    uuid NOT NULL,
    version      integer NOT NULL,         -- the entity's version after the save (its last event)
    stream_type  text NOT NULL,
    state        jsonb NOT NULL,
    recorded_at  timestamptz NOT NULL,
    xact_id      bigint NOT NULL DEFAULT lana_current_xact_id(),
    PRIMARY KEY (stream_id, version)
);
CREATE INDEX entity_versions_xact_idx ON core.entity_versions (xact_id);
CREATE TRIGGER entity_versions_append_only BEFORE UPDATE OR DELETE ON core.entity_versions
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER entity_versions_no_truncate BEFORE TRUNCATE ON core.entity_versions
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();

-- Entities saved before this table existed start their history at their current state.
INSERT INTO core.entity_versions (stream_id, version, stream_type, state, recorded_at)
SELECT stream_id, version, stream_type, state, updated_at FROM core.entities;
