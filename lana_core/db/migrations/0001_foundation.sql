-- Helpers shared by every schema of the core.

-- The id of the transaction writing a row, as a plain bigint.
--
-- Every table the warehouse extracts carries `xact_id bigint DEFAULT lana_current_xact_id()`.
-- The extractor uses it as its replication key and only reads rows whose writer has finished
-- (`xact_id < pg_snapshot_xmin(pg_current_snapshot())`), so a transaction that commits late is
-- never skipped (ARCHITECTURE, contract 2). A bigint rather than xid8 keeps the column usable by
-- any extractor; xid8 values are 64-bit epoch-extended ids that fit a bigint.
CREATE FUNCTION lana_current_xact_id() RETURNS bigint
    LANGUAGE sql VOLATILE PARALLEL UNSAFE
    AS $$ SELECT pg_current_xact_id()::text::bigint $$;

-- The oldest transaction still running, as a bigint: rows with a lower xact_id are final.
CREATE FUNCTION lana_snapshot_xmin() RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint $$;

-- Trigger function: refuse UPDATE, DELETE and TRUNCATE on append-only tables.
CREATE FUNCTION lana_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'LN900', HINT = 'Correct a mistake with a new (reversing) row instead.';
END $$;

-- Trigger function for mutable tables the warehouse reads: every change bumps `version` and
-- records the writing transaction, so incremental extraction sees the new row version.
CREATE FUNCTION lana_touch_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.xact_id := lana_current_xact_id();
    RETURN NEW;
END $$;

-- Trigger function for read models the warehouse may read: a changed row records its writer.
CREATE FUNCTION lana_touch_xact() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.xact_id := lana_current_xact_id();
    RETURN NEW;
END $$;
