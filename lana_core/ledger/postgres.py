"""The ledger on PostgreSQL.

``Ledger`` works inside its caller's transaction (a ``UnitOfWork``): it never commits. A posting
is one round trip to ``ledger.post_transactions()``, which checks and writes everything
atomically; on a refusal the database raises, the caller's transaction is aborted and nothing of
the operation is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from lana_core.clock import Clock, SystemClock
from lana_core.errors import InvalidInput
from lana_core.ids import new_id
from lana_core.ledger.errors import (
    AccountNotFound,
    UnbalancedTransaction,
    translate,
)
from lana_core.ledger.model import (
    Account,
    AccountRef,
    AccountSet,
    AccountStatus,
    Balance,
    Direction,
    Entry,
    EntryLine,
    Journal,
    Layer,
    LayerTotals,
    PostedTransaction,
    Transaction,
    reversal_of,
    transaction_problems,
)
from lana_core.ledger.templates import TransactionTemplate
from lana_core.money import Currency

MAIN_JOURNAL = "MAIN"

_ACCOUNT_COLUMNS = (
    "id, journal_id, code, name, normal_balance, status, prevent_overdraft, external_id, "
    "description, metadata, created_at"
)
_SET_COLUMNS = "id, journal_id, code, name, normal_balance, description, metadata, created_at"
_TOTALS = "settled_dr, settled_cr, pending_dr, pending_cr, encumbrance_dr, encumbrance_cr"


@dataclass(frozen=True)
class PostingRequest:
    """One transaction to post: a template with its params, or explicit entry lines.

    effective_date: defaults to the clock's today. idempotency_key: optional; reusing it with
    the same content returns the first transaction. transaction_id: defaults to a new id.
    """

    template: TransactionTemplate | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    entries: Sequence[EntryLine] = ()
    description: str | None = None
    effective_date: date | None = None
    idempotency_key: str | None = None
    journal: str | UUID | None = None
    metadata: Mapping[str, Any] | None = None
    transaction_id: UUID | None = None
    reverses: UUID | None = None


@dataclass(frozen=True)
class Activity:
    """Movements of one account or set in one layer: before the period, and within it."""

    opening: LayerTotals
    period: LayerTotals

    @property
    def closing(self) -> LayerTotals:
        return self.opening + self.period


class Ledger:
    def __init__(
        self,
        conn: psycopg.Connection,
        *,
        clock: Clock | None = None,
        ids: Callable[[], UUID] = new_id,
    ) -> None:
        self.conn = conn
        self.clock = clock or SystemClock()
        self.ids = ids
        self._journals: dict[str, Journal] = {}

    # --- journals -----------------------------------------------------------------------

    def journal(self, ref: str | UUID | None = None) -> Journal:
        ref = MAIN_JOURNAL if ref is None else ref
        key = str(ref)
        if key not in self._journals:
            column = "id" if isinstance(ref, UUID) else "code"
            row = self.conn.execute(
                f"SELECT id, code, name, description, closed_through, created_at "
                f"FROM ledger.journals WHERE {column} = %s",
                (ref,),
            ).fetchone()
            if row is None:
                raise AccountNotFound(f"journal {ref} does not exist")
            journal = Journal(*row)
            if journal.closed_through is not None:
                return journal  # closing dates move: never cache them
            self._journals[key] = journal
        return self._journals[key]

    def create_journal(self, code: str, name: str, description: str | None = None) -> Journal:
        row = self._execute(
            "INSERT INTO ledger.journals (id, code, name, description, created_at) "
            "VALUES (%s, %s, %s, %s, %s) RETURNING id, code, name, description, closed_through, created_at",
            (self.ids(), code, name, description, self.clock.now()),
        ).fetchone()
        return Journal(*row)

    def close_journal_through(self, day: date, journal: str | UUID | None = None) -> None:
        """Refuse, from now on, every posting dated on or before ``day``.

        Blocks new postings until the caller commits, and waits for those in flight, so none
        can slip into the period while it is being closed.
        """
        target = self.journal(journal)
        self.conn.execute("LOCK TABLE ledger.transactions IN SHARE MODE")
        self.conn.execute(
            "UPDATE ledger.journals SET closed_through = greatest(closed_through, %s) WHERE id = %s",
            (day, target.id),
        )
        self._journals.pop(str(journal or MAIN_JOURNAL), None)
        self._journals.pop(str(target.id), None)

    # --- accounts and sets --------------------------------------------------------------

    def create_account(
        self,
        code: str,
        name: str,
        normal_balance: Direction,
        *,
        journal: str | UUID | None = None,
        prevent_overdraft: bool = False,
        external_id: str | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        member_of: Iterable[AccountRef] = (),
        id: UUID | None = None,
    ) -> Account:
        _check_code(code)
        row = self._execute(
            f"INSERT INTO ledger.accounts (id, journal_id, code, name, normal_balance, "
            f"prevent_overdraft, external_id, description, metadata, created_at) "
            f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING {_ACCOUNT_COLUMNS}",
            (
                id or self.ids(),
                self.journal(journal).id,
                code,
                name,
                Direction(normal_balance).value,
                prevent_overdraft,
                external_id,
                description,
                Jsonb(dict(metadata or {})),
                self.clock.now(),
            ),
        ).fetchone()
        account = _account(row)
        for parent in member_of:
            self.add_member(parent, account.id)
        return account

    def create_account_set(
        self,
        code: str,
        name: str,
        normal_balance: Direction,
        *,
        journal: str | UUID | None = None,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        member_of: Iterable[AccountRef] = (),
        id: UUID | None = None,
    ) -> AccountSet:
        _check_code(code)
        row = self._execute(
            f"INSERT INTO ledger.account_sets (id, journal_id, code, name, normal_balance, "
            f"description, metadata, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            f"RETURNING {_SET_COLUMNS}",
            (
                id or self.ids(),
                self.journal(journal).id,
                code,
                name,
                Direction(normal_balance).value,
                description,
                Jsonb(dict(metadata or {})),
                self.clock.now(),
            ),
        ).fetchone()
        account_set = _account_set(row)
        for parent in member_of:
            self.add_member(parent, account_set.id)
        return account_set

    def add_member(self, set_ref: AccountRef, member_ref: AccountRef) -> None:
        """Make an account or a set a member of a set (idempotent)."""
        parent = self.account_set(set_ref)
        member = self.node(member_ref)
        column = "member_account_id" if isinstance(member, Account) else "member_set_id"
        self._execute(
            f"INSERT INTO ledger.account_set_members (set_id, {column}, created_at) "
            f"VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            (parent.id, member.id, self.clock.now()),
        )

    def account(self, ref: AccountRef) -> Account:
        account = self.find_account(ref)
        if account is None:
            raise AccountNotFound(f"account {ref} does not exist")
        return account

    def find_account(self, ref: AccountRef) -> Account | None:
        column = "id" if isinstance(ref, UUID) else "code"
        row = self.conn.execute(
            f"SELECT {_ACCOUNT_COLUMNS} FROM ledger.accounts WHERE {column} = %s", (ref,)
        ).fetchone()
        return _account(row) if row else None

    def account_set(self, ref: AccountRef) -> AccountSet:
        found = self.find_account_set(ref)
        if found is None:
            raise AccountNotFound(f"account set {ref} does not exist")
        return found

    def find_account_set(self, ref: AccountRef) -> AccountSet | None:
        column = "id" if isinstance(ref, UUID) else "code"
        row = self.conn.execute(
            f"SELECT {_SET_COLUMNS} FROM ledger.account_sets WHERE {column} = %s", (ref,)
        ).fetchone()
        return _account_set(row) if row else None

    def node(self, ref: AccountRef) -> Account | AccountSet:
        """The account or the set with this id or code (they share one namespace)."""
        found = self.find_account(ref) or self.find_account_set(ref)
        if found is None:
            raise AccountNotFound(f"no account or account set {ref}")
        return found

    def set_members(self, set_ref: AccountRef) -> list[Account | AccountSet]:
        """The direct members of a set, by code."""
        parent = self.account_set(set_ref)
        rows = self.conn.execute(
            "SELECT member_account_id, member_set_id FROM ledger.account_set_members WHERE set_id = %s",
            (parent.id,),
        ).fetchall()
        members = [self.account(a) if a else self.account_set(s) for a, s in rows]
        return sorted(members, key=lambda m: m.code)

    def lock_account(self, ref: AccountRef) -> Account:
        return self._set_status(ref, AccountStatus.LOCKED)

    def unlock_account(self, ref: AccountRef) -> Account:
        return self._set_status(ref, AccountStatus.ACTIVE)

    def _set_status(self, ref: AccountRef, status: AccountStatus) -> Account:
        account = self.account(ref)
        # Postings check the status while holding the account's balance locks; taking the same
        # locks here (in the same order) means no posting straddles the change.
        self.conn.execute(
            "SELECT 1 FROM ledger.balances WHERE account_id = %s ORDER BY currency FOR UPDATE",
            (account.id,),
        )
        row = self.conn.execute(
            f"UPDATE ledger.accounts SET status = %s WHERE id = %s RETURNING {_ACCOUNT_COLUMNS}",
            (status.value, account.id),
        ).fetchone()
        return _account(row)

    # --- posting ------------------------------------------------------------------------

    def post(
        self,
        template: TransactionTemplate,
        params: Mapping[str, Any],
        *,
        effective_date: date | None = None,
        idempotency_key: str | None = None,
        journal: str | UUID | None = None,
        metadata: Mapping[str, Any] | None = None,
        transaction_id: UUID | None = None,
    ) -> PostedTransaction:
        return self.post_many(
            [
                PostingRequest(
                    template=template,
                    params=params,
                    effective_date=effective_date,
                    idempotency_key=idempotency_key,
                    journal=journal,
                    metadata=metadata,
                    transaction_id=transaction_id,
                )
            ]
        )[0]

    def post_entries(
        self,
        entries: Sequence[EntryLine],
        *,
        description: str,
        effective_date: date | None = None,
        idempotency_key: str | None = None,
        journal: str | UUID | None = None,
        metadata: Mapping[str, Any] | None = None,
        transaction_id: UUID | None = None,
    ) -> PostedTransaction:
        """Post explicit lines (manual transactions, corrections). Prefer templates elsewhere."""
        return self.post_many(
            [
                PostingRequest(
                    entries=entries,
                    description=description,
                    effective_date=effective_date,
                    idempotency_key=idempotency_key,
                    journal=journal,
                    metadata=metadata,
                    transaction_id=transaction_id,
                )
            ]
        )[0]

    def reverse(
        self,
        transaction_id: UUID,
        *,
        effective_date: date | None = None,
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> PostedTransaction:
        """Post the correction of a transaction: the same entries on the opposite sides."""
        original = self.transaction(transaction_id)
        return self.post_many(
            [
                PostingRequest(
                    entries=reversal_of(original.entries),
                    description=description or f"Reversal of {original.description or original.id}",
                    effective_date=effective_date,
                    idempotency_key=idempotency_key or f"reversal:{original.id}",
                    journal=original.journal_id,
                    reverses=original.id,
                )
            ]
        )[0]

    def post_many(self, requests: Sequence[PostingRequest]) -> list[PostedTransaction]:
        """Post every request atomically, in order: all are written or, on a refusal, none."""
        if not requests:
            return []
        prepared = [self._prepare(r) for r in requests]
        payload_txs: list[dict[str, Any]] = []
        payload_entries: list[dict[str, Any]] = []
        for ord_, p in enumerate(prepared, start=1):
            # Accounts travel as given (id or code); the database resolves codes. The content hash
            # covers them as given too: a retry repeats its request, it does not rewrite it.
            content = {
                "journal_id": str(p.journal_id),
                "effective_date": p.effective_date.isoformat(),
                "template_code": p.template_code,
                "description": p.description,
                "reverses": str(p.reverses) if p.reverses else None,
                "entries": [
                    [str(ln.account), ln.direction.value, ln.amount, ln.currency.value, ln.layer.value, ln.description]
                    for ln in p.lines
                ],
            }
            digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
            tx_id, journal_id, effective = str(p.transaction_id), str(p.journal_id), p.effective_date.isoformat()
            payload_txs.append(
                {
                    "ord": ord_,
                    "id": tx_id,
                    "journal_id": journal_id,
                    "idempotency_key": p.idempotency_key,
                    "content_hash": digest,
                    "template_code": p.template_code,
                    "params": p.params,
                    "effective_date": effective,
                    "recorded_at": p.recorded_at,
                    "description": p.description,
                    "metadata": p.metadata,
                    "reverses_transaction_id": str(p.reverses) if p.reverses else None,
                }
            )
            payload_entries.extend(
                {
                    "tx_ord": ord_,
                    "transaction_id": tx_id,
                    "journal_id": journal_id,
                    "effective_date": effective,
                    "recorded_at": p.recorded_at,
                    "entry_index": i,
                    "account_id": str(ln.account) if isinstance(ln.account, UUID) else None,
                    "account_code": ln.account if isinstance(ln.account, str) else None,
                    "currency": ln.currency.value,
                    "layer": ln.layer.value,
                    "direction": ln.direction.value,
                    "amount": ln.amount,
                    "description": ln.description,
                }
                for i, ln in enumerate(p.lines)
            )
        rows = self._execute(
            "SELECT ord, transaction_id, replayed FROM ledger.post_transactions(%s)",
            (Jsonb({"transactions": payload_txs, "entries": payload_entries}, dumps=orjson.dumps),),
        ).fetchall()
        by_ord = {ord_: PostedTransaction(tx_id, replayed) for ord_, tx_id, replayed in rows}
        return [by_ord[i] for i in range(1, len(prepared) + 1)]

    def _prepare(self, request: PostingRequest) -> _Prepared:
        if request.template is not None:
            if request.entries:
                raise InvalidInput("post a template or explicit entries, not both")
            resolved = request.template.resolve(request.params)
            lines, description = list(resolved.entries), resolved.description
            template_code, params = request.template.code, resolved.params
        else:
            lines, description = list(request.entries), request.description
            template_code, params = None, None
        problems = transaction_problems(lines)
        if problems:
            raise UnbalancedTransaction("; ".join(problems))
        now = self.clock.now()
        return _Prepared(
            transaction_id=request.transaction_id or self.ids(),
            journal_id=self.journal(request.journal).id,
            idempotency_key=request.idempotency_key,
            template_code=template_code,
            params=params,
            effective_date=request.effective_date or self.clock.today(),
            recorded_at=now.isoformat(),
            description=description,
            metadata=dict(request.metadata or {}),
            reverses=request.reverses,
            lines=lines,
        )

    # --- reading ------------------------------------------------------------------------

    def transaction(self, transaction_id: UUID) -> Transaction:
        row = self.conn.execute(
            "SELECT id, journal_id, idempotency_key, template_code, params, effective_date, "
            "recorded_at, description, metadata, reverses_transaction_id "
            "FROM ledger.transactions WHERE id = %s",
            (transaction_id,),
        ).fetchone()
        if row is None:
            raise AccountNotFound(f"transaction {transaction_id} does not exist")
        entries = tuple(
            Entry(tx, idx, acc, Currency(cur), Layer(layer), Direction(dirn), amount, desc)
            for tx, idx, acc, cur, layer, dirn, amount, desc in self.conn.execute(
                "SELECT transaction_id, entry_index, account_id, currency, layer, direction, amount, "
                "description FROM ledger.entries WHERE transaction_id = %s ORDER BY entry_index",
                (transaction_id,),
            )
        )
        return Transaction(*row, entries=entries)

    def balance(self, ref: AccountRef, currency: Currency, *, as_of: date | None = None) -> Balance:
        """The balance of an account or set, now or as of the end of an effective date."""
        node = self.node(ref)
        currency = Currency(currency)
        if isinstance(node, Account) and as_of is None:
            row = self.conn.execute(
                f"SELECT {_TOTALS}, version FROM ledger.balances WHERE account_id = %s AND currency = %s",
                (node.id, currency.value),
            ).fetchone()
            if row is None:
                return Balance(node.code, currency, node.normal_balance, version=0)
            return _balance(node.code, currency, node.normal_balance, row[:6], version=row[6])
        if isinstance(node, Account):
            accounts_sql, key = "SELECT %(id)s::uuid AS account_id", node.id
        else:
            accounts_sql, key = _CLOSURE_OF_ONE_SET, node.id
        if as_of is None:
            source = "SELECT account_id, {t} FROM ledger.balances WHERE currency = %(currency)s"
        else:
            source = (
                "SELECT account_id, {t} FROM ledger.daily_activity "
                "WHERE currency = %(currency)s AND effective_date <= %(as_of)s"
            )
        query = (
            f"WITH RECURSIVE accounts AS ({accounts_sql}) "
            f"SELECT {', '.join(f'coalesce(sum(s.{c}), 0)' for c in _TOTALS.split(', '))} "
            f"FROM ({source.format(t=_TOTALS)}) s JOIN accounts USING (account_id)"
        )
        row = self.conn.execute(query, {"id": key, "currency": currency.value, "as_of": as_of}).fetchone()
        return _balance(node.code, currency, node.normal_balance, row)

    def balances_of(self, codes: Sequence[str], currency: Currency) -> dict[str, Balance]:
        """The current balances of several accounts by code, in one query (unknown codes are
        left out; an account without movements has a zero balance)."""
        # Joined to the list rather than filtered by `code = ANY(list)`: once the statement is
        # prepared, a generic plan tests each account against the whole list (measured: 280 ms
        # for 2,200 codes over 3,500 accounts, against 3 ms joined).
        rows = self.conn.execute(
            f"SELECT a.code, a.normal_balance, {', '.join(f'coalesce(b.{c}, 0)' for c in _TOTALS.split(', '))}, "
            "coalesce(b.version, 0) FROM unnest(%s::text[]) AS wanted(code) "
            "JOIN ledger.accounts a ON a.code = wanted.code "
            "LEFT JOIN ledger.balances b ON b.account_id = a.id AND b.currency = %s",
            (list(codes), Currency(currency).value),
        )
        return {code: _balance(code, Currency(currency), Direction(normal), row[:6], version=row[6])
                for code, normal, *row in rows}

    def set_activity(
        self,
        currency: Currency,
        layer: Layer,
        *,
        date_from: date | None,
        date_to: date,
        journal: str | UUID | None = None,
    ) -> dict[UUID, Activity]:
        """For every account set of a journal: totals before ``date_from`` and within
        [date_from, date_to] by effective date, rolled up through the whole hierarchy.
        ``date_from=None`` puts all history up to ``date_to`` in the period."""
        opening_before = date_from or date.min
        dr, cr = sql.Identifier(f"{Layer(layer).value}_dr"), sql.Identifier(f"{Layer(layer).value}_cr")
        query = sql.SQL(
            """
            WITH RECURSIVE closure(set_id, account_id) AS (
                SELECT m.set_id, m.member_account_id FROM ledger.account_set_members m
                  JOIN ledger.account_sets s ON s.id = m.set_id
                 WHERE m.member_account_id IS NOT NULL AND s.journal_id = %(journal)s
                UNION
                SELECT m.set_id, c.account_id FROM ledger.account_set_members m
                  JOIN closure c ON m.member_set_id = c.set_id
            ),
            per_account AS (
                SELECT d.account_id,
                       sum(d.{dr}) FILTER (WHERE d.effective_date < %(from)s) AS open_dr,
                       sum(d.{cr}) FILTER (WHERE d.effective_date < %(from)s) AS open_cr,
                       sum(d.{dr}) FILTER (WHERE d.effective_date >= %(from)s) AS period_dr,
                       sum(d.{cr}) FILTER (WHERE d.effective_date >= %(from)s) AS period_cr
                  FROM ledger.daily_activity d
                 WHERE d.currency = %(currency)s AND d.effective_date <= %(to)s
                 GROUP BY d.account_id
            )
            SELECT c.set_id, coalesce(sum(a.open_dr), 0), coalesce(sum(a.open_cr), 0),
                   coalesce(sum(a.period_dr), 0), coalesce(sum(a.period_cr), 0)
              FROM closure c JOIN per_account a ON a.account_id = c.account_id
             GROUP BY c.set_id
            """
        ).format(dr=dr, cr=cr)
        rows = self.conn.execute(
            query,
            {
                "journal": self.journal(journal).id,
                "from": opening_before,
                "to": date_to,
                "currency": Currency(currency).value,
            },
        )
        return {
            set_id: Activity(LayerTotals(int(od), int(oc)), LayerTotals(int(pd), int(pc)))
            for set_id, od, oc, pd, pc in rows
        }

    def account_balances_under(
        self, set_codes: Sequence[str], currency: Currency, *, as_of: date, layer: Layer = Layer.SETTLED
    ) -> list[tuple[UUID, str, LayerTotals]]:
        """Every account below the given sets, with its totals as of the end of ``as_of``
        (accounts without movements are left out), ordered by code."""
        dr, cr = sql.Identifier(f"{Layer(layer).value}_dr"), sql.Identifier(f"{Layer(layer).value}_cr")
        query = sql.SQL(
            """
            WITH RECURSIVE below(set_id) AS (
                SELECT id FROM ledger.account_sets WHERE code = ANY(%(codes)s)
                UNION
                SELECT m.member_set_id FROM ledger.account_set_members m JOIN below b ON m.set_id = b.set_id
                 WHERE m.member_set_id IS NOT NULL
            ),
            accounts AS (
                SELECT DISTINCT m.member_account_id AS account_id
                  FROM ledger.account_set_members m JOIN below b ON m.set_id = b.set_id
                 WHERE m.member_account_id IS NOT NULL
            )
            SELECT a.id, a.code, sum(d.{dr}), sum(d.{cr})
              FROM accounts x
              JOIN ledger.accounts a ON a.id = x.account_id
              JOIN ledger.daily_activity d ON d.account_id = a.id
             WHERE d.currency = %(currency)s AND d.effective_date <= %(as_of)s
             GROUP BY a.id, a.code
             ORDER BY a.code
            """
        ).format(dr=dr, cr=cr)
        rows = self.conn.execute(query, {"codes": list(set_codes), "currency": Currency(currency).value,
                                         "as_of": as_of})
        return [(id_, code, LayerTotals(int(d), int(c))) for id_, code, d, c in rows]

    def set_activity_of_kind(
        self, kind: str, currency: Currency, layer: Layer, *, date_from: date, date_to: date,
        journal: str | UUID | None = None,
    ) -> dict[UUID, LayerTotals]:
        """Per account set: the movements within the period of the transactions whose metadata
        ``kind`` is ``kind`` (e.g. year-end closings), rolled up like ``set_activity``."""
        query = """
            WITH RECURSIVE closure(set_id, account_id) AS (
                SELECT m.set_id, m.member_account_id FROM ledger.account_set_members m
                  JOIN ledger.account_sets s ON s.id = m.set_id
                 WHERE m.member_account_id IS NOT NULL AND s.journal_id = %(journal)s
                UNION
                SELECT m.set_id, c.account_id FROM ledger.account_set_members m
                  JOIN closure c ON m.member_set_id = c.set_id
            ),
            moved AS (
                SELECT e.account_id,
                       sum(e.amount) FILTER (WHERE e.direction = 'debit') AS dr,
                       sum(e.amount) FILTER (WHERE e.direction = 'credit') AS cr
                  FROM ledger.transactions t JOIN ledger.entries e ON e.transaction_id = t.id
                 WHERE t.metadata->>'kind' = %(kind)s AND t.journal_id = %(journal)s
                   AND t.effective_date BETWEEN %(from)s AND %(to)s
                   AND e.currency = %(currency)s AND e.layer = %(layer)s
                 GROUP BY e.account_id
            )
            SELECT c.set_id, coalesce(sum(m.dr), 0), coalesce(sum(m.cr), 0)
              FROM closure c JOIN moved m ON m.account_id = c.account_id
             GROUP BY c.set_id
        """
        rows = self.conn.execute(query, {
            "journal": self.journal(journal).id, "kind": kind, "from": date_from, "to": date_to,
            "currency": Currency(currency).value, "layer": Layer(layer).value,
        })
        return {set_id: LayerTotals(int(d), int(c)) for set_id, d, c in rows}

    def _execute(self, query: Any, params: Any = None) -> psycopg.Cursor:
        try:
            return self.conn.execute(query, params)
        except psycopg.Error as exc:
            error = translate(exc)
            if error is None:
                raise
            raise error from None


_CLOSURE_OF_ONE_SET = """
    WITH RECURSIVE below(set_id) AS (
        SELECT %(id)s::uuid
        UNION
        SELECT m.member_set_id FROM ledger.account_set_members m JOIN below b ON m.set_id = b.set_id
         WHERE m.member_set_id IS NOT NULL
    )
    SELECT DISTINCT m.member_account_id AS account_id
      FROM ledger.account_set_members m JOIN below b ON m.set_id = b.set_id
     WHERE m.member_account_id IS NOT NULL
"""


@dataclass
class _Prepared:
    transaction_id: UUID
    journal_id: UUID
    idempotency_key: str | None
    template_code: str | None
    params: dict[str, Any] | None
    effective_date: date
    recorded_at: str
    description: str | None
    metadata: dict[str, Any]
    reverses: UUID | None
    lines: list[EntryLine]


def _check_code(code: str) -> None:
    if not code or code != code.strip() or any(ch.isspace() for ch in code):
        raise InvalidInput(f"account codes are non-empty and contain no spaces, got {code!r}")


def _account(row: tuple) -> Account:
    id_, journal_id, code, name, normal, status, overdraft, external_id, desc, meta, created = row
    return Account(
        id_, journal_id, code, name, Direction(normal), AccountStatus(status), overdraft,
        external_id, desc, meta, created,
    )


def _account_set(row: tuple) -> AccountSet:
    id_, journal_id, code, name, normal, desc, meta, created = row
    return AccountSet(id_, journal_id, code, name, Direction(normal), desc, meta, created)


def _balance(
    code: str, currency: Currency, normal: Direction, totals: Sequence[int], version: int | None = None
) -> Balance:
    sdr, scr, pdr, pcr, edr, ecr = (int(v) for v in totals)
    return Balance(
        code, currency, normal, LayerTotals(sdr, scr), LayerTotals(pdr, pcr), LayerTotals(edr, ecr), version
    )


