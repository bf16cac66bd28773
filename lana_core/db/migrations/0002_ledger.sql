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

-- Transactions and entries are written only by ledger.post_transactions(), which checks every
-- account and journal they name; none of those can be deleted. They carry no FOREIGN KEY
-- constraints for that reason: the per-row checks cost a third of a batch's time (measured),
-- and `lana ledger check` verifies that no entry lacks its transaction or account.
CREATE TABLE ledger.transactions (
    id                       uuid PRIMARY KEY,
    journal_id               uuid NOT NULL,
    -- The same key with the same content returns the first transaction; different content is refused.
    idempotency_key          text,
    -- sha256 of the canonical content (template, effective date, description, entries).
    content_hash             text NOT NULL,
    template_code            text,
    params                   jsonb,
    effective_date           date NOT NULL,
    recorded_at              timestamptz NOT NULL,
    description              text,
    metadata                 jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Set on a correction: the transaction this one reverses (each can be reversed once).
    reverses_transaction_id  uuid,
    xact_id                  bigint NOT NULL DEFAULT lana_current_xact_id()
);
-- Partial: most rows have no reversal link (and some no key), and need no index entry for it.
CREATE UNIQUE INDEX transactions_idempotency_key_key ON ledger.transactions (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX transactions_reverses_transaction_id_key ON ledger.transactions (reverses_transaction_id)
    WHERE reverses_transaction_id IS NOT NULL;

CREATE TABLE ledger.entries (
    transaction_id  uuid NOT NULL,
    entry_index     smallint NOT NULL,
    account_id      uuid NOT NULL,
    currency        text NOT NULL CHECK (currency IN ('USD', 'BTC')),
    layer           text NOT NULL CHECK (layer IN ('settled', 'pending', 'encumbrance')),
    direction       text NOT NULL CHECK (direction IN ('debit', 'credit')),
    amount          bigint NOT NULL CHECK (amount > 0),
    description     text,
    -- Copied from the transaction (immutable there too) so balance queries need no join.
    effective_date  date NOT NULL,
    recorded_at     timestamptz NOT NULL,
    xact_id         bigint NOT NULL DEFAULT lana_current_xact_id(),
    PRIMARY KEY (transaction_id, entry_index)
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
) WITH (fillfactor = 50);  -- room on each page: every posting rewrites these rows (HOT updates)

-- Every account starts with a (zero) balance row per currency, so a posting only has to lock
-- rows that exist. Balance rows are never deleted.
CREATE FUNCTION ledger.open_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ledger.balances (account_id, currency)
    SELECT NEW.id, c FROM unnest(ARRAY['BTC', 'USD']) c
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER accounts_open_balances AFTER INSERT ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION ledger.open_balances();
CREATE TRIGGER balances_no_delete BEFORE DELETE ON ledger.balances
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();

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
) WITH (fillfactor = 70);  -- a day's row is rewritten by each posting of that day (HOT updates)

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
-- Accounts, sets and journals change (status, closing date) but are never deleted: history
-- refers to them.
CREATE TRIGGER journals_no_delete BEFORE DELETE ON ledger.journals
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON ledger.accounts
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER account_sets_no_delete BEFORE DELETE ON ledger.account_sets
    FOR EACH ROW EXECUTE FUNCTION lana_refuse_change();
CREATE TRIGGER ledger_definitions_no_truncate BEFORE TRUNCATE ON ledger.accounts
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
    tx_ord          integer,               -- the ord of its transaction
    -- Copied from the transaction by the caller, so that no step joins two input arrays.
    transaction_id  uuid,
    journal_id      uuid,
    effective_date  date,
    recorded_at     timestamptz,
    entry_index     smallint,
    account_id      uuid,                  -- the account, by id ...
    account_code    text,                  -- ... or by code
    currency        text,
    layer           text,
    direction       text,
    amount          bigint,
    description     text
);

-- One transaction's effect on one (account, currency): the movement and the totals after it.
CREATE TYPE ledger.balance_step AS (
    tx_ord          integer,
    transaction_id  uuid,
    effective_date  date,
    recorded_at     timestamptz,
    account_id      uuid,
    currency        text,
    d_settled_dr    bigint, d_settled_cr bigint,
    d_pending_dr    bigint, d_pending_cr bigint,
    d_encumbrance_dr bigint, d_encumbrance_cr bigint,
    settled_dr      bigint, settled_cr bigint,
    pending_dr      bigint, pending_cr bigint,
    encumbrance_dr  bigint, encumbrance_cr bigint,
    version         integer,
    overdrawn       boolean   -- an overdraft-protected settled balance pushed further below zero
);

-- The first posting of a batch that would overdraw a protected account.
CREATE TYPE ledger.overdraft AS (code text, currency text, balance_after bigint, tx uuid);

-- Posts a batch of transactions atomically: all of them are written or, on any refusal, none.
--
-- p_batch = {"transactions": [transaction_input...], "entries": [entry_input...]}
-- Returns one row per input transaction: its id (the first transaction's id for an idempotent
-- replay) and whether it was a replay. Refusals raise SQLSTATE LN001..LN007 with a JSON DETAIL.
--
-- Shape, for speed (measured with benchmarks/ledger_posting.py): every step is one set-based
-- statement over the whole batch; the inputs are only ever joined to tables through their
-- indexes, never to each other, so the cost grows linearly with the batch. Plans are generic
-- (re-planning every statement on every call cost half the time), and hash and merge joins are
-- off: the planner cannot see how small the input arrays are and chose them, while index
-- lookups from a handful of rows are what fits.
CREATE FUNCTION ledger.post_transactions(p_batch jsonb)
RETURNS TABLE (ord integer, transaction_id uuid, replayed boolean)
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_hashjoin = off
SET enable_mergejoin = off
AS $$
#variable_conflict use_column
DECLARE
    v_txs           ledger.transaction_input[];
    v_entries       ledger.entry_input[];
    v_steps         ledger.balance_step[];
    v_new           integer[];
    v_inserted      uuid[];
    v_replay_ords   integer[] := '{}';
    v_replay_ids    uuid[] := '{}';
    v_locked        bigint;
    v_pairs         bigint;
    v_locked_code   text;
    v_overdraft     ledger.overdraft;
    r               record;
BEGIN
    -- Parse the batch. Entries named by code get their account id here (NULL when the code is
    -- unknown). The counts feed the checks below without another pass.
    SELECT (SELECT array_agg(t ORDER BY t.ord)
              FROM jsonb_populate_recordset(NULL::ledger.transaction_input, p_batch->'transactions') t) AS txs,
           x.entries, x.tx_count, x.pair_count
      INTO r
      FROM (SELECT array_agg(ROW(e.tx_ord, e.transaction_id, e.journal_id, e.effective_date, e.recorded_at,
                                 e.entry_index, coalesce(e.account_id, a.id), e.account_code, e.currency,
                                 e.layer, e.direction, e.amount, e.description)::ledger.entry_input
                             ORDER BY e.tx_ord, e.entry_index) AS entries,
                   count(DISTINCT e.tx_ord) AS tx_count,
                   count(DISTINCT (coalesce(e.account_id, a.id), e.currency)) AS pair_count
              FROM jsonb_populate_recordset(NULL::ledger.entry_input, p_batch->'entries') e
              LEFT JOIN ledger.accounts a ON e.account_id IS NULL AND a.code = e.account_code) x;
    v_txs := r.txs;
    v_entries := r.entries;
    v_pairs := r.pair_count;
    IF v_txs IS NULL THEN
        RETURN;
    END IF;

    -- 1. The first thing wrong with the input, in this order: a transaction without entries, an
    --    unbalanced (currency, layer), an unknown journal, a closed period, an unknown account,
    --    an account of another journal.
    IF r.tx_count < cardinality(v_txs) THEN
        SELECT t.id INTO r FROM unnest(v_txs) t
         WHERE t.ord <> ALL (ARRAY(SELECT e.tx_ord FROM unnest(v_entries) e)) LIMIT 1;
        RAISE EXCEPTION 'transaction % has no entries', r.id
            USING ERRCODE = 'LN003', DETAIL = json_build_object('transaction_id', r.id)::text;
    END IF;
    SELECT * INTO r FROM (
        (SELECT 2 AS rule, e.transaction_id AS tx, e.currency, e.layer,
                sum(CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END) AS excess,
                NULL::text AS account, NULL::date AS closed_through, NULL::date AS effective_date,
                NULL::uuid AS journal_id
           FROM unnest(v_entries) e
          GROUP BY e.transaction_id, e.currency, e.layer
         HAVING sum(CASE e.direction WHEN 'debit' THEN e.amount ELSE -e.amount END) <> 0 LIMIT 1)
        UNION ALL
        (SELECT CASE WHEN j.id IS NULL THEN 3 ELSE 4 END, NULL, NULL, NULL, NULL, j.code, j.closed_through,
                t.earliest, t.journal_id
           FROM (SELECT t.journal_id, min(t.effective_date) AS earliest FROM unnest(v_txs) t
                  GROUP BY t.journal_id) t
           LEFT JOIN ledger.journals j ON j.id = t.journal_id
          WHERE j.id IS NULL OR t.earliest <= j.closed_through LIMIT 1)
        UNION ALL
        (SELECT CASE WHEN a.id IS NULL THEN 5 ELSE 6 END, e.transaction_id, NULL, NULL, NULL,
                coalesce(a.code, e.account_code, e.account_id::text), NULL, NULL, NULL
           FROM unnest(v_entries) e
           LEFT JOIN ledger.accounts a ON a.id = e.account_id
          WHERE a.id IS NULL OR a.journal_id <> e.journal_id LIMIT 1)
    ) problems ORDER BY rule LIMIT 1;
    IF FOUND THEN
        CASE r.rule
        WHEN 2 THEN
            RAISE EXCEPTION 'transaction % does not balance in % (% layer): debits minus credits = %',
                r.tx, r.currency, r.layer, r.excess
                USING ERRCODE = 'LN003',
                      DETAIL = json_build_object('transaction_id', r.tx, 'currency', r.currency,
                                                 'layer', r.layer, 'excess', r.excess)::text;
        WHEN 3 THEN
            RAISE EXCEPTION 'journal % does not exist', r.journal_id
                USING ERRCODE = 'LN004', DETAIL = json_build_object('journal_id', r.journal_id)::text;
        WHEN 4 THEN
            RAISE EXCEPTION 'effective date % falls in a closed period: journal % is closed through %',
                r.effective_date, r.account, r.closed_through
                USING ERRCODE = 'LN007',
                      DETAIL = json_build_object('effective_date', r.effective_date,
                                                 'closed_through', r.closed_through)::text;
        WHEN 5 THEN
            RAISE EXCEPTION 'account % does not exist', r.account
                USING ERRCODE = 'LN004', DETAIL = json_build_object('account', r.account)::text;
        ELSE
            RAISE EXCEPTION 'account % belongs to another journal', r.account
                USING ERRCODE = 'LN006', DETAIL = json_build_object('account_code', r.account)::text;
        END CASE;
    END IF;

    -- 2. Record the transactions. An idempotency key seen before (or earlier in this batch) skips
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
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        RETURNING x.id
    )
    SELECT array_agg(i.id) INTO v_inserted FROM inserted i;

    IF coalesce(cardinality(v_inserted), 0) < cardinality(v_txs) THEN
        SELECT coalesce(array_agg(t.ord), '{}') INTO v_new FROM unnest(v_txs) t WHERE t.id = ANY (v_inserted);
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
    END IF;

    IF v_txs IS NOT NULL THEN
        -- 3. Lock the balances touched. Locks are always taken in (account_id, currency) order,
        --    so concurrent postings over the same accounts queue instead of deadlocking. Every
        --    later row this posting writes for an account is guarded by that account's balance lock.
        PERFORM 1 FROM ledger.balances b
         WHERE (b.account_id, b.currency) IN (SELECT e.account_id, e.currency FROM unnest(v_entries) e)
         ORDER BY b.account_id, b.currency
           FOR UPDATE;
        GET DIAGNOSTICS v_locked = ROW_COUNT;
        IF v_locked < v_pairs THEN
            -- Accounts get their balance rows when created (ledger.open_balances); only a row
            -- that is somehow missing lands here. Create it, in lock order, then lock it too.
            INSERT INTO ledger.balances (account_id, currency)
            SELECT DISTINCT e.account_id, e.currency FROM unnest(v_entries) e
             ORDER BY 1, 2
            ON CONFLICT DO NOTHING;
            PERFORM 1 FROM ledger.balances b
             WHERE (b.account_id, b.currency) IN (SELECT e.account_id, e.currency FROM unnest(v_entries) e)
             ORDER BY b.account_id, b.currency
               FOR UPDATE;
        END IF;

        -- 4. Each transaction's movement per (account, currency) and the running totals after it.
        --    The same pass finds the first locked account and the first step that overdraws a
        --    protected account. It runs under the balance locks, which locking an account also
        --    takes, so it sees the account's status as of now and a lock cannot slip in between.
        SELECT array_agg(ROW(s.tx_ord, s.transaction_id, s.effective_date, s.recorded_at, s.account_id,
                             s.currency, s.sdr, s.scr, s.pdr, s.pcr, s.edr, s.ecr,
                             s.settled_dr, s.settled_cr, s.pending_dr, s.pending_cr,
                             s.encumbrance_dr, s.encumbrance_cr, s.version, s.overdrawn
                         )::ledger.balance_step ORDER BY s.tx_ord, s.account_id, s.currency) AS steps,
               min(s.code) FILTER (WHERE s.status <> 'active') AS locked_code,
               (array_agg(ROW(s.code, s.currency, s.balance_after, s.transaction_id)::ledger.overdraft
                          ORDER BY s.tx_ord) FILTER (WHERE s.overdrawn))[1] AS overdraft
          INTO r
          FROM (
            SELECT t.*,
                   t.prevent_overdraft AND t.balance_after < 0
                   AND CASE t.normal_balance WHEN 'credit' THEN t.scr - t.sdr ELSE t.sdr - t.scr END < 0
                   AS overdrawn
              FROM (
                SELECT w.*,
                       CASE w.normal_balance WHEN 'credit' THEN w.settled_cr - w.settled_dr
                                             ELSE w.settled_dr - w.settled_cr END AS balance_after
                  FROM (
                    SELECT d.*, a.code, a.status, a.normal_balance, a.prevent_overdraft,
                           b.settled_dr + sum(d.sdr) OVER w AS settled_dr,
                           b.settled_cr + sum(d.scr) OVER w AS settled_cr,
                           b.pending_dr + sum(d.pdr) OVER w AS pending_dr,
                           b.pending_cr + sum(d.pcr) OVER w AS pending_cr,
                           b.encumbrance_dr + sum(d.edr) OVER w AS encumbrance_dr,
                           b.encumbrance_cr + sum(d.ecr) OVER w AS encumbrance_cr,
                           b.version + (row_number() OVER w)::integer AS version
                      FROM (
                        SELECT e.tx_ord, e.transaction_id, e.effective_date, e.recorded_at, e.account_id, e.currency,
                               coalesce(sum(e.amount) FILTER (WHERE e.layer = 'settled' AND e.direction = 'debit'), 0) AS sdr,
                               coalesce(sum(e.amount) FILTER (WHERE e.layer = 'settled' AND e.direction = 'credit'), 0) AS scr,
                               coalesce(sum(e.amount) FILTER (WHERE e.layer = 'pending' AND e.direction = 'debit'), 0) AS pdr,
                               coalesce(sum(e.amount) FILTER (WHERE e.layer = 'pending' AND e.direction = 'credit'), 0) AS pcr,
                               coalesce(sum(e.amount) FILTER (WHERE e.layer = 'encumbrance' AND e.direction = 'debit'), 0) AS edr,
                               coalesce(sum(e.amount) FILTER (WHERE e.layer = 'encumbrance' AND e.direction = 'credit'), 0) AS ecr
                          FROM unnest(v_entries) e
                         GROUP BY e.tx_ord, e.transaction_id, e.effective_date, e.recorded_at, e.account_id, e.currency
                      ) d
                      JOIN ledger.balances b ON b.account_id = d.account_id AND b.currency = d.currency
                      JOIN ledger.accounts a ON a.id = d.account_id
                    WINDOW w AS (PARTITION BY d.account_id, d.currency ORDER BY d.tx_ord)
                  ) w
              ) t
          ) s;

        v_steps := r.steps;
        v_locked_code := r.locked_code;
        v_overdraft := r.overdraft;

        -- 5. A locked account accepts no posting.
        IF v_locked_code IS NOT NULL THEN
            RAISE EXCEPTION 'account % is locked and accepts no postings', v_locked_code
                USING ERRCODE = 'LN005', DETAIL = json_build_object('account_code', v_locked_code)::text;
        END IF;

        -- 6. Overdraft prevention: refuse the first transaction that overdraws.
        IF v_overdraft IS NOT NULL THEN
            RAISE EXCEPTION 'insufficient funds: account % would go to % % (settled) in transaction %',
                v_overdraft.code, v_overdraft.balance_after, v_overdraft.currency, v_overdraft.tx
                USING ERRCODE = 'LN001',
                      DETAIL = json_build_object('account_code', v_overdraft.code,
                                                 'currency', v_overdraft.currency,
                                                 'balance_after', v_overdraft.balance_after,
                                                 'transaction_id', v_overdraft.tx)::text;
        END IF;

        -- 7. Write entries, history, current balances and daily activity (one statement).
        WITH w_entries AS (
            INSERT INTO ledger.entries (transaction_id, entry_index, account_id, currency, layer,
                   direction, amount, description, effective_date, recorded_at)
            SELECT e.transaction_id, e.entry_index, e.account_id, e.currency, e.layer, e.direction,
                   e.amount, e.description, e.effective_date, e.recorded_at
              FROM unnest(v_entries) e
             ORDER BY e.tx_ord, e.entry_index
        ), w_history AS (
            INSERT INTO ledger.balance_history (account_id, currency, version, transaction_id,
                   effective_date, recorded_at, settled_dr, settled_cr, pending_dr, pending_cr,
                   encumbrance_dr, encumbrance_cr)
            SELECT s.account_id, s.currency, s.version, s.transaction_id, s.effective_date, s.recorded_at,
                   s.settled_dr, s.settled_cr, s.pending_dr, s.pending_cr, s.encumbrance_dr, s.encumbrance_cr
              FROM unnest(v_steps) s
        ), w_balances AS (
            UPDATE ledger.balances b
               SET settled_dr = l.settled_dr, settled_cr = l.settled_cr,
                   pending_dr = l.pending_dr, pending_cr = l.pending_cr,
                   encumbrance_dr = l.encumbrance_dr, encumbrance_cr = l.encumbrance_cr,
                   version = l.version, last_transaction_id = l.transaction_id, updated_at = l.recorded_at
              FROM (
                SELECT DISTINCT ON (s.account_id, s.currency) s.*
                  FROM unnest(v_steps) s
                 ORDER BY s.account_id, s.currency, s.tx_ord DESC
              ) l
             WHERE b.account_id = l.account_id AND b.currency = l.currency
        ), w_daily AS (
            INSERT INTO ledger.daily_activity AS a (account_id, currency, effective_date,
                   settled_dr, settled_cr, pending_dr, pending_cr, encumbrance_dr, encumbrance_cr)
            SELECT s.account_id, s.currency, s.effective_date,
                   sum(s.d_settled_dr), sum(s.d_settled_cr), sum(s.d_pending_dr), sum(s.d_pending_cr),
                   sum(s.d_encumbrance_dr), sum(s.d_encumbrance_cr)
              FROM unnest(v_steps) s
             GROUP BY 1, 2, 3
             ORDER BY 1, 2, 3
            ON CONFLICT (account_id, currency, effective_date) DO UPDATE SET
                   settled_dr = a.settled_dr + EXCLUDED.settled_dr,
                   settled_cr = a.settled_cr + EXCLUDED.settled_cr,
                   pending_dr = a.pending_dr + EXCLUDED.pending_dr,
                   pending_cr = a.pending_cr + EXCLUDED.pending_cr,
                   encumbrance_dr = a.encumbrance_dr + EXCLUDED.encumbrance_dr,
                   encumbrance_cr = a.encumbrance_cr + EXCLUDED.encumbrance_cr
        )
        SELECT 1 INTO r;
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
