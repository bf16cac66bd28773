"""The expectation suites: one per raw table, and one per mart whose figures gate the reports.

Each suite reads one batch, the result of its ``query`` over the warehouse (DuckDB, read-only):
the raw layer ``raw.duckdb`` attached as ``lana_raw`` (tables ``lana_raw.raw.<schema>_<table>``,
typed as the contract at the top of meltano.yml says: dates are 'YYYY-MM-DD' text, parsed here
with TRY_CAST so that a malformed one becomes NULL and fails its not-null expectation), the
marts ``lana.duckdb`` attached as ``lana`` (``lana.main.<mart>``). A query loads only the columns
its expectations read; a mart's identities that hold per group (the trial balance's) are
checked on the group's sums, computed by the query.

Amounts are integer minor units: the suites expect integer columns (a float or decimal column
fails ``expect_column_values_to_be_in_type_list``), and the gate's loader hands DuckDB's HUGEINT
sums over as exact 64-bit integers, never as floats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.expectations import Expectation


class _Expectations:
    """``great_expectations.expectations``, imported when an expectation is first built (a run),
    not when the suites are listed: importing GX takes about 6 s."""

    def __getattr__(self, name: str) -> Any:
        import great_expectations.expectations

        return getattr(great_expectations.expectations, name)


gxe = _Expectations()

from lana_core.warehouse.quality.registry import (
    ACCOUNT_STATUSES,
    CURRENCIES,
    DIRECTIONS,
    LAYERS,
    stream_event_types,
)

# The pandas dtypes of integer columns as DuckDB hands them over (capitalised: with NULLs).
INTEGER_DTYPES = ["int16", "int32", "int64", "Int16", "Int32", "Int64"]


@dataclass(frozen=True)
class Bounds:
    """The dates a run holds the data to. first_day: the bank's first day, before which nothing
    can be effective (by default the day its chart of accounts was created; None: no lower
    bound, e.g. a warehouse without a chart of accounts yet);
    last_effective_day: the latest effective date allowed (today + 1 in UTC: a day of slack for a
    posting dated in a time zone ahead of UTC); now: the moment after which nothing can have
    been recorded (when the run started, or the end of the day it is run as of; UTC without a
    time zone, like the raw layer's timestamps)."""

    first_day: date | None
    last_effective_day: date
    now: datetime


@dataclass(frozen=True)
class Suite:
    """name: the suite's name, also the name of its Dagster asset check (``raw_<table>``,
    ``marts_<mart>``); layer: ``raw`` or ``marts``; table: the warehouse table it checks (the
    raw table without its schema, or the mart); query: the SQL that loads its batch; keys: the
    batch's columns that name a row in a failure's sample; expectations: builds the suite's
    expectations for a run's bounds."""

    name: str
    layer: str
    table: str
    query: str
    keys: tuple[str, ...]
    expectations: Callable[[Bounds], list[Expectation]]


# --- building blocks --------------------------------------------------------------------------


def _key(*columns: str) -> list[Expectation]:
    """The columns are present and, together, unique."""
    unique: Expectation = (gxe.ExpectColumnValuesToBeUnique(column=columns[0]) if len(columns) == 1
                           else gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns)))
    return [*_present(*columns), unique]


def _present(*columns: str) -> list[Expectation]:
    return [gxe.ExpectColumnValuesToNotBeNull(column=c) for c in columns]


def _one_of(column: str, values: frozenset[str] | set[str]) -> Expectation:
    return gxe.ExpectColumnValuesToBeInSet(column=column, value_set=sorted(values))


def _integers(minimum: int, *columns: str) -> list[Expectation]:
    """Integers (an amount: minor units), present, at least ``minimum``."""
    return [e for c in columns for e in (
        gxe.ExpectColumnValuesToBeInTypeList(column=c, type_list=INTEGER_DTYPES),
        gxe.ExpectColumnValuesToNotBeNull(column=c),
        gxe.ExpectColumnValuesToBeBetween(column=c, min_value=minimum),
    )]


def _recorded(bounds: Bounds, *columns: str) -> list[Expectation]:
    """Timestamps present and not in the future."""
    return [e for c in columns for e in (
        gxe.ExpectColumnValuesToNotBeNull(column=c),
        gxe.ExpectColumnValuesToBeBetween(column=c, max_value=bounds.now),
    )]


def _effective(bounds: Bounds, column: str) -> list[Expectation]:
    """An effective date: present (and a date), from the bank's first day to today + 1."""
    first = datetime.combine(bounds.first_day, time()) if bounds.first_day else None
    return [gxe.ExpectColumnValuesToNotBeNull(column=column),
            gxe.ExpectColumnValuesToBeBetween(column=column, min_value=first,
                                              max_value=datetime.combine(bounds.last_effective_day, time()))]


def _stream_types() -> frozenset[str]:
    return frozenset(stream_event_types())


def _events(bounds: Bounds) -> list[Expectation]:
    known = stream_event_types()
    return [
        *_key("stream_id", "version"),
        gxe.ExpectColumnValuesToBeBetween(column="version", min_value=1),
        _one_of("stream_type", _stream_types()),
        _one_of("event_type", {event for events in known.values() for event in events}),
        # An event type belongs to one kind of entity: a known name on the wrong stream is wrong
        # too. (On the pair joined in one column: expect_column_pair_values_to_be_in_set reads
        # pandas rows one by one, 2.3 s for 20k events; a set lookup on one column 0.04 s.)
        _one_of("stream_event_type", {f"{stream}/{event}" for stream, events in known.items() for event in events}),
        *_present("stream_type", "event_type", "actor"),
        *_recorded(bounds, "recorded_at"),
    ]


# --- the raw layer ----------------------------------------------------------------------------

RAW = "lana_raw.raw"
MARTS = "lana.main"

_RAW_SUITES = [
    Suite("raw_accounting_charts", "raw", "accounting_charts",
          f"SELECT id, code, journal_id, created_at FROM {RAW}.accounting_charts", ("id",),
          lambda b: [*_key("id"), *_key("code"), *_present("journal_id"), *_recorded(b, "created_at")]),
    Suite("raw_accounting_chart_nodes", "raw", "accounting_chart_nodes",
          f"SELECT chart_id, code, account_set_id, normal_balance, depth, created_at "
          f"FROM {RAW}.accounting_chart_nodes", ("chart_id", "code"),
          lambda b: [*_key("chart_id", "code"), *_key("account_set_id"), _one_of("normal_balance", DIRECTIONS),
                     *_integers(0, "depth"), *_recorded(b, "created_at")]),
    Suite("raw_core_entities", "raw", "core_entities",
          f"SELECT stream_id, stream_type, version, created_at, updated_at FROM {RAW}.core_entities", ("stream_id",),
          lambda b: [*_key("stream_id"), _one_of("stream_type", _stream_types()),
                     gxe.ExpectColumnValuesToBeBetween(column="version", min_value=1),
                     *_recorded(b, "created_at", "updated_at"),
                     gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="updated_at", column_B="created_at",
                                                                 or_equal=True)]),
    Suite("raw_core_entity_versions", "raw", "core_entity_versions",
          f"SELECT stream_id, version, stream_type, recorded_at FROM {RAW}.core_entity_versions",
          ("stream_id", "version"),
          lambda b: [*_key("stream_id", "version"), _one_of("stream_type", _stream_types()),
                     gxe.ExpectColumnValuesToBeBetween(column="version", min_value=1), *_recorded(b, "recorded_at")]),
    # The payload and state columns (JSON, most of the bytes) are left unread.
    Suite("raw_core_events", "raw", "core_events",
          f"SELECT stream_id, version, stream_type, event_type, stream_type || '/' || event_type AS stream_event_type, "
          f"actor, recorded_at FROM {RAW}.core_events",
          ("stream_id", "version"), _events),
    Suite("raw_ledger_journals", "raw", "ledger_journals",
          f"SELECT id, code, TRY_CAST(closed_through AS DATE) AS closed_through FROM {RAW}.ledger_journals", ("id",),
          lambda b: [*_key("id"), *_key("code"),
                     # NULL until a first period is closed; never closed beyond tomorrow.
                     gxe.ExpectColumnValuesToBeBetween(column="closed_through",
                                                       max_value=datetime.combine(b.last_effective_day, time()))]),
    Suite("raw_ledger_accounts", "raw", "ledger_accounts",
          f"SELECT id, code, journal_id, normal_balance, status FROM {RAW}.ledger_accounts", ("id",),
          lambda b: [*_key("id"), *_key("code"), *_present("journal_id"), _one_of("normal_balance", DIRECTIONS),
                     _one_of("status", ACCOUNT_STATUSES)]),
    Suite("raw_ledger_account_sets", "raw", "ledger_account_sets",
          f"SELECT id, code, journal_id, normal_balance FROM {RAW}.ledger_account_sets", ("id",),
          lambda b: [*_key("id"), *_key("code"), *_present("journal_id"), _one_of("normal_balance", DIRECTIONS)]),
    Suite("raw_ledger_account_set_members", "raw", "ledger_account_set_members",
          f"SELECT set_id, member_id, created_at FROM {RAW}.ledger_account_set_members", ("set_id", "member_id"),
          lambda b: [*_key("set_id", "member_id"), *_recorded(b, "created_at")]),
    Suite("raw_ledger_transactions", "raw", "ledger_transactions",
          f"SELECT id, journal_id, idempotency_key, reverses_transaction_id, content_hash, "
          f"TRY_CAST(effective_date AS DATE) AS effective_date, recorded_at FROM {RAW}.ledger_transactions", ("id",),
          lambda b: [*_key("id"), *_present("journal_id", "content_hash"),
                     # Unique where present: one transaction per key, each reversed at most once.
                     gxe.ExpectColumnValuesToBeUnique(column="idempotency_key"),
                     gxe.ExpectColumnValuesToBeUnique(column="reverses_transaction_id"),
                     *_effective(b, "effective_date"), *_recorded(b, "recorded_at")]),
    Suite("raw_ledger_entries", "raw", "ledger_entries",
          f"SELECT transaction_id, entry_index, account_id, currency, layer, direction, amount, "
          f"TRY_CAST(effective_date AS DATE) AS effective_date, recorded_at FROM {RAW}.ledger_entries",
          ("transaction_id", "entry_index"),
          lambda b: [*_key("transaction_id", "entry_index"), *_present("account_id"),
                     _one_of("currency", CURRENCIES), _one_of("layer", LAYERS), _one_of("direction", DIRECTIONS),
                     *_integers(1, "amount"), *_effective(b, "effective_date"), *_recorded(b, "recorded_at")]),
    Suite("raw_ledger_balance_history", "raw", "ledger_balance_history",
          f"SELECT account_id, currency, version, transaction_id, settled_dr, settled_cr, pending_dr, pending_cr, "
          f"encumbrance_dr, encumbrance_cr, TRY_CAST(effective_date AS DATE) AS effective_date, recorded_at "
          f"FROM {RAW}.ledger_balance_history", ("account_id", "currency", "version"),
          lambda b: [*_key("account_id", "currency", "version"), *_present("transaction_id"),
                     _one_of("currency", CURRENCIES),
                     gxe.ExpectColumnValuesToBeBetween(column="version", min_value=1),
                     # Running totals of each side of each layer: never below zero.
                     *_integers(0, *(f"{layer}_{side}" for layer in sorted(LAYERS) for side in ("dr", "cr"))),
                     *_effective(b, "effective_date"), *_recorded(b, "recorded_at")]),
    Suite("raw_price_prices", "raw", "price_prices",
          f"SELECT id, price_cents_per_btc, recorded_at FROM {RAW}.price_prices", ("id",),
          lambda b: [*_key("id"), *_integers(1, "price_cents_per_btc"), *_recorded(b, "recorded_at")]),
]

# --- the marts --------------------------------------------------------------------------------

_OUTSTANDING = tuple(f"{kind}_{status}" for kind in ("principal", "interest")
                     for status in ("not_yet_due", "due", "overdue", "defaulted"))

_MART_SUITES = [
    # Every transaction balances per currency and layer, and every account sits under exactly one
    # top-level node of the chart: over the top-level nodes, each month's debits equal its
    # credits, and the balances on the debit side equal those on the credit side, at the
    # month's opening and at its close.
    Suite("marts_trial_balance", "marts", "trial_balance",
          f"""SELECT period_start, currency, layer,
                     sum(debits) AS debits, sum(credits) AS credits,
                     sum(CASE WHEN normal_balance = 'debit' THEN opening ELSE 0 END) AS opening_debit_balances,
                     sum(CASE WHEN normal_balance = 'credit' THEN opening ELSE 0 END) AS opening_credit_balances,
                     sum(CASE WHEN normal_balance = 'debit' THEN closing ELSE 0 END) AS closing_debit_balances,
                     sum(CASE WHEN normal_balance = 'credit' THEN closing ELSE 0 END) AS closing_credit_balances
              FROM {MARTS}.trial_balance WHERE depth = 0
              GROUP BY period_start, currency, layer""",
          ("period_start", "currency", "layer"),
          lambda b: [*_key("period_start", "currency", "layer"), _one_of("currency", CURRENCIES),
                     _one_of("layer", LAYERS),
                     *(gxe.ExpectColumnValuesToBeInTypeList(column=c, type_list=INTEGER_DTYPES) for c in (
                         "debits", "credits", "opening_debit_balances", "opening_credit_balances",
                         "closing_debit_balances", "closing_credit_balances")),
                     gxe.ExpectColumnPairValuesToBeEqual(column_A="debits", column_B="credits"),
                     gxe.ExpectColumnPairValuesToBeEqual(column_A="opening_debit_balances",
                                                         column_B="opening_credit_balances"),
                     gxe.ExpectColumnPairValuesToBeEqual(column_A="closing_debit_balances",
                                                         column_B="closing_credit_balances")]),
    # The balance-sheet equation, recomputed here from the mart's totals (its own is_balanced is
    # checked too, but it would not see a total changed after it was computed).
    Suite("marts_balance_sheet_totals", "marts", "balance_sheet_totals",
          f"""SELECT as_of_date, currency, assets, liabilities, equity, current_earnings,
                     liabilities + equity + current_earnings AS liabilities_equity_and_earnings, is_balanced
              FROM {MARTS}.balance_sheet_totals""",
          ("as_of_date", "currency"),
          lambda b: [*_key("as_of_date", "currency"), _one_of("currency", CURRENCIES),
                     *(gxe.ExpectColumnValuesToBeInTypeList(column=c, type_list=INTEGER_DTYPES)
                       for c in ("assets", "liabilities", "equity", "current_earnings")),
                     gxe.ExpectColumnPairValuesToBeEqual(column_A="assets", column_B="liabilities_equity_and_earnings"),
                     gxe.ExpectColumnValuesToBeInSet(column="is_balanced", value_set=[True])]),
    Suite("marts_loan_portfolio", "marts", "loan_portfolio",
          f"SELECT credit_facility_id, status, currency, {', '.join(_OUTSTANDING)}, principal_outstanding, "
          f"interest_outstanding, total_outstanding FROM {MARTS}.loan_portfolio",
          ("credit_facility_id",),
          lambda b: [*_key("credit_facility_id"), _one_of("currency", CURRENCIES),
                     *_integers(0, *_OUTSTANDING, "principal_outstanding", "interest_outstanding",
                               "total_outstanding")]),
    Suite("marts_obligation_aging", "marts", "obligation_aging",
          f"SELECT kind, aging_bucket, currency, obligations, outstanding, outstanding_defaulted "
          f"FROM {MARTS}.obligation_aging",
          ("kind", "aging_bucket"),
          lambda b: [*_key("kind", "aging_bucket"), _one_of("currency", CURRENCIES),
                     *_integers(0, "obligations", "outstanding", "outstanding_defaulted")]),
]

SUITES: dict[str, Suite] = {s.name: s for s in (*_RAW_SUITES, *_MART_SUITES)}
RAW_SUITES = tuple(s.name for s in _RAW_SUITES)
MART_SUITES = tuple(s.name for s in _MART_SUITES)
