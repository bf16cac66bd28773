-- The double-entry ledger: journals, accounts, account sets, transactions, entries, balances.
--
-- Amounts are integer minor units (USD cents, BTC satoshis). Every transaction balances per
-- (currency, layer); entries, transactions and balance history are append-only; a correction is
-- a reversing transaction. All writes of a posting go through ledger.post_transactions().

CREATE SCHEMA ledger;

-- A journal is a self-contained book: its accounts, account sets and transactions.
CREATE TABLE ledger.journals (
    id              uuid PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    description     text,
    -- Postings with an effective date on or before this date are refused (closed periods).
    closed_through  date,
    created_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE TRIGGER journals_touch BEFORE UPDATE ON ledger.journals
    FOR EACH ROW EXECUTE FUNCTION lana_touch_version();

CREATE TABLE ledger.accounts (
    id                uuid PRIMARY KEY,
    journal_id        uuid NOT NULL REFERENCES ledger.journals (id),
    code              text NOT NULL UNIQUE,
    name              text NOT NULL,
    normal_balance    text NOT NULL CHECK (normal_balance IN ('debit', 'credit')),
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'locked')),
    -- Control: refuse any posting that debits the settled layer below zero.
    prevent_overdraft boolean NOT NULL DEFAULT false,
    external_id       text UNIQUE,
    description       text,
    metadata          jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at        timestamptz NOT NULL,
    version           integer NOT NULL DEFAULT 1,
    xact_id           bigint NOT NULL DEFAULT lana_current_xact_id()
);

CREATE TABLE ledger.account_sets (
    id              uuid PRIMARY KEY,
    journal_id      uuid NOT NULL REFERENCES ledger.journals (id),
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    normal_balance  text NOT NULL CHECK (normal_balance IN ('debit', 'credit')),
    description     text,
    metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id()
);

-- Identity fields never change: history would otherwise be reinterpreted.
CREATE FUNCTION ledger.guard_identity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.code <> OLD.code OR NEW.journal_id <> OLD.journal_id
       OR NEW.normal_balance <> OLD.normal_balance THEN
        RAISE EXCEPTION 'the id, code, journal and normal balance of % % cannot change', TG_TABLE_NAME, OLD.code
            USING ERRCODE = 'LN900';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_guard BEFORE UPDATE ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_identity();
CREATE TRIGGER accounts_touch BEFORE UPDATE ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION lana_touch_version();
CREATE TRIGGER account_sets_guard BEFORE UPDATE ON ledger.account_sets
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_identity();
CREATE TRIGGER account_sets_touch BEFORE UPDATE ON ledger.account_sets
    FOR EACH ROW EXECUTE FUNCTION lana_touch_version();

-- Accounts and sets share one namespace of codes, so a code names exactly one thing.
CREATE FUNCTION ledger.guard_unique_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Serialises the two inserts of the same code into the two tables.
    PERFORM pg_advisory_xact_lock(hashtext('ledger.code:' || NEW.code));
    IF EXISTS (SELECT 1 FROM ledger.accounts WHERE code = NEW.code)
       OR EXISTS (SELECT 1 FROM ledger.account_sets WHERE code = NEW.code) THEN
        RAISE EXCEPTION 'code % is already used by an account or account set', NEW.code
            USING ERRCODE = 'LN008', DETAIL = json_build_object('code', NEW.code)::text;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER accounts_unique_code BEFORE INSERT ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_unique_code();
CREATE TRIGGER account_sets_unique_code BEFORE INSERT ON ledger.account_sets
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_unique_code();

-- Membership edges of the account-set hierarchy (a DAG: a member may belong to several sets).
CREATE TABLE ledger.account_set_members (
    set_id             uuid NOT NULL REFERENCES ledger.account_sets (id),
    member_account_id  uuid REFERENCES ledger.accounts (id),
    member_set_id      uuid REFERENCES ledger.account_sets (id),
    created_at         timestamptz NOT NULL,
    xact_id            bigint NOT NULL DEFAULT lana_current_xact_id(),
    CHECK ((member_account_id IS NULL) <> (member_set_id IS NULL)),
    UNIQUE (set_id, member_account_id),
    UNIQUE (set_id, member_set_id)
);
CREATE INDEX account_set_members_account_idx ON ledger.account_set_members (member_account_id);
CREATE INDEX account_set_members_set_idx ON ledger.account_set_members (member_set_id);

CREATE FUNCTION ledger.guard_membership() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_parent_journal uuid;
    v_member_journal uuid;
BEGIN
    -- One structural change at a time, so two concurrent inserts cannot close a cycle together.
    PERFORM pg_advisory_xact_lock(hashtext('ledger.account_set_members'));
    SELECT journal_id INTO v_parent_journal FROM ledger.account_sets WHERE id = NEW.set_id;
    IF NEW.member_account_id IS NOT NULL THEN
        SELECT journal_id INTO v_member_journal FROM ledger.accounts WHERE id = NEW.member_account_id;
    ELSE
        SELECT journal_id INTO v_member_journal FROM ledger.account_sets WHERE id = NEW.member_set_id;
        IF NEW.member_set_id = NEW.set_id OR EXISTS (
            WITH RECURSIVE below(id) AS (
                SELECT NEW.member_set_id
                UNION
                SELECT m.member_set_id FROM ledger.account_set_members m JOIN below ON m.set_id = below.id
                WHERE m.member_set_id IS NOT NULL
            ) SELECT 1 FROM below WHERE id = NEW.set_id
        ) THEN
            RAISE EXCEPTION 'adding this member would make the account-set hierarchy cyclic'
                USING ERRCODE = 'LN009';
        END IF;
    END IF;
    IF v_member_journal IS DISTINCT FROM v_parent_journal THEN
        RAISE EXCEPTION 'a set and its members must belong to the same journal' USING ERRCODE = 'LN006';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER account_set_members_guard BEFORE INSERT ON ledger.account_set_members
    FOR EACH ROW EXECUTE FUNCTION ledger.guard_membership();

CREATE TABLE ledger.transactions (
    id                       uuid PRIMARY KEY,
    journal_id               uuid NOT NULL REFERENCES ledger.journals (id),
    -- The same key with the same content returns the first transaction; different content is refused.
    idempotency_key          text UNIQUE,
    -- sha256 of the canonical content (template, effective date, description, entries).
    content_hash             text NOT NULL,
    template_code            text,
    params                   jsonb,
    effective_date           date NOT NULL,
    recorded_at              timestamptz NOT NULL,
    description              text,
    metadata                 jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Set on a correction: the transaction this one reverses (each can be reversed once).
    reverses_transaction_id  uuid UNIQUE REFERENCES ledger.transactions (id),
    xact_id                  bigint NOT NULL DEFAULT lana_current_xact_id()
);
CREATE INDEX transactions_effective_date_idx ON ledger.transactions (effective_date);

CREATE TABLE ledger.entries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id  uuid NOT NULL REFERENCES ledger.transactions (id),
    entry_index     smallint NOT NULL,
    account_id      uuid NOT NULL REFERENCES ledger.accounts (id),
    currency        text NOT NULL CHECK (currency IN ('USD', 'BTC')),
    layer           text NOT NULL CHECK (layer IN ('settled', 'pending', 'encumbrance')),
    direction       text NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount          bigint NOT NULL CHECK (amount > 0),
    description     text,
    -- Copied from the transaction (immutable there too) so balance queries need no join.
    effective_date  date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id(),
    UNIQUE (transaction_id, entry_index)
);
CREATE INDEX entries_account_effective_idx ON ledger.entries (account_id, effective_date);

-- Current balance per (account, currency): debit and credit totals per layer.
CREATE TABLE ledger.balances (
    account_id           uuid NOT NULL REFERENCES ledger.accounts (id),
    currency             text NOT NULL CHECK (currency IN ('USD', 'BTC')),
    settled_dr           bigint NOT NULL DEFAULT 0,
    settled_cr           bigint NOT NULL DEFAULT 0,
    pending_dr           bigint NOT NULL DEFAULT 0,
    pending_cr           bigint NOT NULL DEFAULT 0,
    encumbrance_dr       bigint NOT NULL DEFAULT 0,
    encumbrance_cr       bigint NOT NULL DEFAULT 0,
    -- Number of transactions that touched this balance; matches the latest history version.
    version              integer NOT NULL DEFAULT 0,
    last_transaction_id  uuid,
    updated_at           timestamptz,
    PRIMARY KEY (account_id, currency)
);

-- Append-only: one row per (account, currency) per transaction, in recording order, holding the
-- cumulative totals after that transaction.
CREATE TABLE ledger.balance_history (
    account_id      uuid NOT NULL,
    currency        text NOT NULL,
    version         integer NOT NULL,
    transaction_id  uuid NOT NULL,
    effective_date  date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    settled_dr      bigint NOT NULL,
    settled_cr      bigint NOT NULL,
    pending_dr      bigint NOT NULL,
    pending_cr      bigint NOT NULL,
    encumbrance_dr  bigint NOT NULL,
    encumbrance_cr  bigint NOT NULL,
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id(),
    PRIMARY KEY (account_id, currency, version)
);

-- Movements per (account, currency, effective date). A read model kept by the posting function:
-- the balance as of any effective date is the sum of the days up to it, which stays correct when a
-- back-dated posting lands, without rewriting any later row.
CREATE TABLE ledger.daily_activity (
    account_id      uuid NOT NULL,
    currency        text NOT NULL,
    effective_date  date NOT NULL,
    settled_dr      bigint NOT NULL DEFAULT 0,
    settled_cr      bigint NOT NULL DEFAULT 0,
    pending_dr      bigint NOT NULL DEFAULT 0,
    pending_cr      bigint NOT NULL DEFAULT 0,
    encumbrance_dr  bigint NOT NULL DEFAULT 0,
    encumbrance_cr  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, currency, effective_date)
);

-- The database itself keeps the books immutable.
CREATE TRIGGER transactions_append_only BEFORE UPDATE OR DELETE ON ledger.transactions
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER transactions_no_truncate BEFORE TRUNCATE ON ledger.transactions
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON ledger.entries
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON ledger.entries
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER balance_history_append_only BEFORE UPDATE OR DELETE ON ledger.balance_history
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER balance_history_no_truncate BEFORE TRUNCATE ON ledger.balance_history
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER account_set_members_append_only BEFORE UPDATE OR DELETE ON ledger.account_set_members
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER account_set_members_no_truncate BEFORE TRUNCATE ON ledger.account_set_members
    FOR EACH STATEMENT EXECUTE FUNCTION lana_refuse_change();


-- Input rows of ledger.post_transactions (one JSON object each).
CREATE TYPE ledger.transaction_input AS (
    ord                      integer,      -- position in the batch, 1-based
    id                       uuid,
    journal_id               uuid,
    idempotency_key          text,
    content_hash             text,
    template_code            text,
    params                   jsonb,
    effective_date           date,
    recorded_at              timestamptz,
    description              text,
    metadata                 jsonb,
    reverses_transaction_id  uuid
);

CREATE TYPE ledger.entry_input AS (
    tx_ord       integer,                  -- the ord of its transaction
    entry_index  smallint,
    account_id   uuid,
    currency     text,
    layer        text,
    direction    text,
    amount       bigint,
    description  text
);

-- One transaction's effect on one (account, currency): the movement and the totals after it.
CREATE TYPE ledger.balance_step AS (
    tx_ord          integer,
    account_id      uuid,
    currency        text,
    d_settled_dr    bigint, d_settled_cr bigint,
    d_pending_dr    bigint, d_pending_cr bigint,
    d_encumbrance_dr bigint, d_encumbrance_cr bigint,
    settled_dr      bigint, settled_cr bigint,
    pending_dr      bigint, pending_cr bigint,
    encumbrance_dr  bigint, encumbrance_cr bigint,
    version         integer
);

-- Posts a batch of transactions atomically: all of them are written, or (on any refusal) none.
--
-- p_batch = {"transactions": [transaction_input...], "entries": [entry_input...]}
-- Returns one row per input transaction: its id (the first transaction's id for an idempotent
-- replay) and whether it was a replay. Refusals raise SQLSTATE LN001..LN009 with a JSON DETAIL.
CREATE FUNCTION ledger.post_transactions(p_batch jsonb)
RETURNS TABLE (ord integer, transaction_id uuid, replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_txs           ledger.transaction_input[];
    v_entries       ledger.entry_input[];
    v_steps         ledger.balance_step[];
    v_new           integer[];
    v_replay_ords   integer[] := '{}';
    v_replay_ids    uuid[] := '{}';
    r               record;
BEGIN
    SELECT array_agg(t ORDER BY t.ord) INTO v_txs
      FROM jsonb_populate_recordset(NULL::ledger.transaction_input, p_batch->'transactions') t;
    SELECT array_agg(e ORDER BY e.tx_ord, e.entry_index) INTO v_entries
      FROM jsonb_populate_recordset(NULL::ledger.entry_input, p_batch->'entries') e;
    IF v_txs IS NULL THEN
        RETURN;
    END IF;

    -- 1. Every transaction balances per (currency, layer) and has entries.
    SELECT t.id INTO r FROM unnest(v_txs) t
     WHERE NOT EXISTS (SELECT 1 FROM unnest(v_entries) e WHERE e.tx_ord = t.ord) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'transaction % has no entries', r.id
            USING ERRCODE = 'LN003', DETAIL = json_build_object('transaction_id', r.id)::text;
    END IF;
    SELECT t.id, e.currency, e.layer,
           sum(CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END) AS excess
      INTO r
      FROM unnest(v_entries) e JOIN unnest(v_txs) t ON t.ord = e.tx_ord
     GROUP BY t.id, e.currency, e.layer
    HAVING sum(CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END) <> 0
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'transaction % does not balance in % (% layer): debits minus credits = %',
            r.id, r.currency, r.layer, r.excess
            USING ERRCODE = 'LN003',
                  DETAIL = json_build_object('transaction_id', r.id, 'currency', r.currency,
                                             'layer', r.layer, 'excess', r.excess)::text;
    END IF;

    -- 2. The journal exists and the period is open.
    SELECT t.id, t.journal_id, t.effective_date, j.id IS NULL AS missing, j.code, j.closed_through INTO r
      FROM unnest(v_txs) t LEFT JOIN ledger.journals j ON j.id = t.journal_id
     WHERE j.id IS NULL OR t.effective_date <= j.closed_through
     LIMIT 1;
    IF FOUND AND r.missing THEN
        RAISE EXCEPTION 'journal % does not exist', r.journal_id
            USING ERRCODE = 'LN004', DETAIL = json_build_object('journal_id', r.journal_id)::text;
    ELSIF FOUND THEN
        RAISE EXCEPTION 'effective date % falls in a closed period: journal % is closed through %',
            r.effective_date, r.code, r.closed_through
            USING ERRCODE = 'LN007',
                  DETAIL = json_build_object('effective_date', r.effective_date,
                                             'closed_through', r.closed_through)::text;
    END IF;

    -- 3. Record the transactions. An idempotency key seen before (or earlier in this batch) skips
    --    the insert; ordering by key makes concurrent batches wait on each other in one order.
    WITH inserted AS (
        INSERT INTO ledger.transactions AS x (id, journal_id, idempotency_key, content_hash,
               template_code, params, effective_date, recorded_at, description, metadata,
               reverses_transaction_id)
        SELECT t.id, t.journal_id, t.idempotency_key, t.content_hash, t.template_code, t.params,
               t.effective_date, t.recorded_at, t.description, coalesce(t.metadata, '{}'::jsonb),
               t.reverses_transaction_id
          FROM unnest(v_txs) t
         ORDER BY t.idempotency_key NULLS LAST, t.ord
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING x.id
    )
    SELECT coalesce(array_agg(t.ord), '{}') INTO v_new
      FROM unnest(v_txs) t JOIN inserted i ON i.id = t.id;

    FOR r IN
        SELECT t.ord, t.idempotency_key, t.content_hash, x.id AS existing_id, x.content_hash AS existing_hash
          FROM unnest(v_txs) t JOIN ledger.transactions x ON x.idempotency_key = t.idempotency_key
         WHERE t.ord <> ALL (v_new)
    LOOP
        IF r.existing_hash <> r.content_hash THEN
            RAISE EXCEPTION 'idempotency key % was already used for a different transaction (%)',
                r.idempotency_key, r.existing_id
                USING ERRCODE = 'LN002',
                      DETAIL = json_build_object('idempotency_key', r.idempotency_key,
                                                 'transaction_id', r.existing_id)::text;
        END IF;
        v_replay_ords := v_replay_ords || r.ord;
        v_replay_ids := v_replay_ids || r.existing_id;
    END LOOP;

    -- From here on only the newly recorded transactions matter.
    SELECT array_agg(t ORDER BY t.ord) INTO v_txs FROM unnest(v_txs) t WHERE t.ord = ANY (v_new);
    SELECT array_agg(e ORDER BY e.tx_ord, e.entry_index) INTO v_entries
      FROM unnest(v_entries) e WHERE e.tx_ord = ANY (v_new);

    IF v_txs IS NOT NULL THEN
        -- 4. Every account exists and belongs to the transaction's journal.
        SELECT e.account_id, a.id IS NULL AS missing, a.code INTO r
          FROM unnest(v_entries) e
          JOIN unnest(v_txs) t ON t.ord = e.tx_ord
          LEFT JOIN ledger.accounts a ON a.id = e.account_id
         WHERE a.id IS NULL OR a.journal_id <> t.journal_id
         LIMIT 1;
        IF FOUND AND r.missing THEN
            RAISE EXCEPTION 'account % does not exist', r.account_id
                USING ERRCODE = 'LN004', DETAIL = json_build_object('account_id', r.account_id)::text;
        ELSIF FOUND THEN
            RAISE EXCEPTION 'account % belongs to another journal', r.code
                USING ERRCODE = 'LN006', DETAIL = json_build_object('account_code', r.code)::text;
        END IF;

        -- 5. Lock the balances touched, creating missing ones. Locks are always taken in
        --    (account_id, currency) order, so concurrent postings over the same accounts queue
        --    instead of deadlocking. Every later row this posting writes for an account is
        --    guarded by that account's balance lock.
        INSERT INTO ledger.balances (account_id, currency)
        SELECT DISTINCT e.account_id, e.currency FROM unnest(v_entries) e
         ORDER BY 1, 2
        ON CONFLICT DO NOTHING;
        PERFORM 1 FROM ledger.balances b
         WHERE (b.account_id, b.currency) IN (SELECT e.account_id, e.currency FROM unnest(v_entries) e)
         ORDER BY b.account_id, b.currency
           FOR UPDATE;

        -- 6. A locked account accepts no posting (checked under the balance lock, which
        --    ledger account locking also takes, so the two cannot interleave).
        SELECT a.code INTO r FROM ledger.accounts a
         WHERE a.id IN (SELECT e.account_id FROM unnest(v_entries) e) AND a.status <> 'active'
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'account % is locked and accepts no postings', r.code
                USING ERRCODE = 'LN005', DETAIL = json_build_object('account_code', r.code)::text;
        END IF;

        -- 7. Each transaction's movement per (account, currency) and the running totals after it.
        SELECT array_agg(s.step) INTO v_steps FROM (
            SELECT ROW(d.tx_ord, d.account_id, d.currency,
                       d.sdr, d.scr, d.pdr, d.pcr, d.edr, d.ecr,
                       b.settled_dr + sum(d.sdr) OVER w, b.settled_cr + sum(d.scr) OVER w,
                       b.pending_dr + sum(d.pdr) OVER w, b.pending_cr + sum(d.pcr) OVER w,
                       b.encumbrance_dr + sum(d.edr) OVER w, b.encumbrance_cr + sum(d.ecr) OVER w,
                       b.version + (row_number() OVER w)::integer
                   )::ledger.balance_step AS step
              FROM (
                SELECT e.tx_ord, e.account_id, e.currency,
                       coalesce(sum(e.amount) FILTER (WHERE e.layer = 'settled' AND e.direction = 'debit'), 0) AS sdr,
                       coalesce(sum(e.amount) FILTER (WHERE e.layer = 'settled' AND e.direction = 'credit'), 0) AS scr,
                       coalesce(sum(e.amount) FILTER (WHERE e.layer = 'pending' AND e.direction = 'debit'), 0) AS pdr,
                       coalesce(sum(e.amount) FILTER (WHERE e.layer = 'pending' AND e.direction = 'credit'), 0) AS pcr,
                       coalesce(sum(e.amount) FILTER (WHERE e.layer = 'encumbrance' AND e.direction = 'debit'), 0) AS edr,
                       coalesce(sum(e.amount) FILTER (WHERE e.layer = 'encumbrance' AND e.direction = 'credit'), 0) AS ecr
                  FROM unnest(v_entries) e
                 GROUP BY e.tx_ord, e.account_id, e.currency
              ) d
              JOIN ledger.balances b ON b.account_id = d.account_id AND b.currency = d.currency
            WINDOW w AS (PARTITION BY d.account_id, d.currency ORDER BY d.tx_ord)
        ) s;

        -- 8. Overdraft prevention: a posting may not move a controlled account's settled balance
        --    further below zero.
        SELECT t.id AS transaction_id, a.code, s.currency,
               CASE a.normal_balance WHEN 'credit' THEN s.settled_cr - s.settled_dr
                                     ELSE s.settled_dr - s.settled_cr END AS balance_after
          INTO r
          FROM unnest(v_steps) s
          JOIN ledger.accounts a ON a.id = s.account_id
          JOIN unnest(v_txs) t ON t.ord = s.tx_ord
         WHERE a.prevent_overdraft
           AND CASE a.normal_balance WHEN 'credit' THEN s.settled_cr - s.settled_dr
                                     ELSE s.settled_dr - s.settled_cr END < 0
           AND CASE a.normal_balance WHEN 'credit' THEN s.d_settled_cr - s.d_settled_dr
                                     ELSE s.d_settled_dr - s.d_settled_cr END < 0
         ORDER BY s.tx_ord
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'insufficient funds: account % would go to % % (settled) in transaction %',
                r.code, r.balance_after, r.currency, r.transaction_id
                USING ERRCODE = 'LN001',
                      DETAIL = json_build_object('account_code', r.code, 'currency', r.currency,
                                                 'balance_after', r.balance_after,
                                                 'transaction_id', r.transaction_id)::text;
        END IF;

        -- 9. Write entries, history, current balances and daily activity.
        INSERT INTO ledger.entries (transaction_id, entry_index, account_id, currency, layer,
               direction, amount, description, effective_date, recorded_at)
        SELECT t.id, e.entry_index, e.account_id, e.currency, e.layer, e.direction, e.amount,
               e.description, t.effective_date, t.recorded_at
          FROM unnest(v_entries) e JOIN unnest(v_txs) t ON t.ord = e.tx_ord
         ORDER BY e.tx_ord, e.entry_index;

        INSERT INTO ledger.balance_history (account_id, currency, version, transaction_id,
               effective_date, recorded_at, settled_dr, settled_cr, pending_dr, pending_cr,
               encumbrance_dr, encumbrance_cr)
        SELECT s.account_id, s.currency, s.version, t.id, t.effective_date, t.recorded_at,
               s.settled_dr, s.settled_cr, s.pending_dr, s.pending_cr, s.encumbrance_dr, s.encumbrance_cr
          FROM unnest(v_steps) s JOIN unnest(v_txs) t ON t.ord = s.tx_ord;

        UPDATE ledger.balances b
           SET settled_dr = l.settled_dr, settled_cr = l.settled_cr,
               pending_dr = l.pending_dr, pending_cr = l.pending_cr,
               encumbrance_dr = l.encumbrance_dr, encumbrance_cr = l.encumbrance_cr,
               version = l.version, last_transaction_id = l.transaction_id, updated_at = l.recorded_at
          FROM (
            SELECT DISTINCT ON (s.account_id, s.currency) s.*, t.id AS transaction_id, t.recorded_at
              FROM unnest(v_steps) s JOIN unnest(v_txs) t ON t.ord = s.tx_ord
             ORDER BY s.account_id, s.currency, s.tx_ord DESC
          ) l
         WHERE b.account_id = l.account_id AND b.currency = l.currency;

        INSERT INTO ledger.daily_activity AS a (account_id, currency, effective_date,
               settled_dr, settled_cr, pending_dr, pending_cr, encumbrance_dr, encumbrance_cr)
        SELECT s.account_id, s.currency, t.effective_date,
               sum(s.d_settled_dr), sum(s.d_settled_cr), sum(s.d_pending_dr), sum(s.d_pending_cr),
               sum(s.d_encumbrance_dr), sum(s.d_encumbrance_cr)
          FROM unnest(v_steps) s JOIN unnest(v_txs) t ON t.ord = s.tx_ord
         GROUP BY 1, 2, 3
         ORDER BY 1, 2, 3
        ON CONFLICT (account_id, currency, effective_date) DO UPDATE SET
               settled_dr = a.settled_dr + EXCLUDED.settled_dr,
               settled_cr = a.settled_cr + EXCLUDED.settled_cr,
               pending_dr = a.pending_dr + EXCLUDED.pending_dr,
               pending_cr = a.pending_cr + EXCLUDED.pending_cr,
               encumbrance_dr = a.encumbrance_dr + EXCLUDED.encumbrance_dr,
               encumbrance_cr = a.encumbrance_cr + EXCLUDED.encumbrance_cr;
    END IF;

    RETURN QUERY
        SELECT t.ord, t.id, false FROM unnest(v_txs) t
        UNION ALL
        SELECT o, i, true FROM unnest(v_replay_ords, v_replay_ids) AS rp(o, i);
END $$;

-- The bank's book. Other journals can be created; this one always exists.
INSERT INTO ledger.journals (id, code, name, description, created_at)
VALUES ('01900000-0000-7000-8000-000000000001', 'MAIN', 'Main journal',
        'The general ledger of the bank', now());
