"""The data pipeline's speed on a bank of at least a million ledger entries, against DuckDB
reading the same Postgres tables directly, in the same run.

    uv run python benchmarks/pipeline.py [--entries 1000000] [--rebuild]

The bank (kept between runs in database ``lana_bench_pipeline`` of the durable benchmark server;
``--rebuild`` makes a new one): a simulated bank (``lana simulate``, 1,000 customers, a year)
and, to reach the size, transfers between extra accounts of a journal of their own, spread over
the same year through ``Ledger.post_many``. Figures:

- baseline: DuckDB's Postgres extension (``duckdb-ext-postgres``) copies every table the EL
  extracts into a DuckDB file: rows per second, measured before and after the full EL (mean).
- full EL: ``lana pipeline el`` into an empty warehouse: rows per second, and the ratio to the
  baseline (target: at least 1/10).
- full dbt build, from an empty warehouse: seconds.
- one more day: the bank simulates a day, then the incremental EL and the incremental dbt
  build: seconds, and their sum over the full refresh's (target: at most 10 %).
"""

from __future__ import annotations

import argparse
import glob
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from ledger_posting import server_url  # noqa: E402
from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: E402

from lana_core.db.migrate import migrate  # noqa: E402
from lana_core.ledger import Direction, Ledger, PostingRequest, moving_amount  # noqa: E402
from lana_core.ledger.model import Layer  # noqa: E402
from lana_core.simulation import Spec, open_simulation  # noqa: E402
from lana_core.warehouse.el import TABLES, extract_load  # noqa: E402
from lana_core.warehouse.transform import build  # noqa: E402

DATABASE = "lana_bench_pipeline"
SPEC = Spec(seed=2026, customers=1000, start_date=date(2025, 7, 1))
TRANSFER = moving_amount("BENCH_TRANSFER", "Transfer {reference}",
                         [("from_account", Direction.DEBIT, Layer.SETTLED), ("to_account", Direction.CREDIT, Layer.SETTLED)])
SYNTHETIC_ACCOUNTS = 5_000


def bank(admin_url: str, entries: int, rebuild: bool) -> str:
    url = make_conninfo(**(conninfo_to_dict(admin_url) | {"dbname": DATABASE}))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if exists and rebuild:
            conn.execute(f"DROP DATABASE {DATABASE} WITH (FORCE)")
        if not exists or rebuild:
            conn.execute(f"CREATE DATABASE {DATABASE}")
    migrate(url)
    count = _entries(url)
    if count == 0:
        print(f"simulating {SPEC.customers} customers for 12 months ...", file=sys.stderr)
        app, sim = open_simulation(url, SPEC)
        sim.run(12)
        app.db.close()
        count = _entries(url)
    if count < entries:
        print(f"posting synthetic transfers: {count:,} -> {entries:,} entries ...", file=sys.stderr)
        _synthetic(url, entries - count)
    return url


def _entries(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM ledger.entries").fetchone()[0]


def _synthetic(url: str, missing: int) -> None:
    """Transfers between synthetic accounts, two entries each, dated over the simulated year."""
    rng = random.Random(7)
    with psycopg.connect(url) as conn:
        ledger = Ledger(conn)
        if ledger.find_account("BENCH.0") is None:
            journal = ledger.create_journal("BENCH", "Benchmark volume")
            for i in range(SYNTHETIC_ACCOUNTS):
                ledger.create_account(f"BENCH.{i}", f"Synthetic {i}", Direction.CREDIT, journal=journal.code)
            conn.commit()
        days = 365
        batch, posted = 1_000, 0
        while posted * 2 < missing:
            requests = [PostingRequest(template=TRANSFER, journal="BENCH", params={
                "from_account": f"BENCH.{rng.randrange(SYNTHETIC_ACCOUNTS)}",
                "to_account": f"BENCH.{rng.randrange(SYNTHETIC_ACCOUNTS)}",
                "amount": rng.randint(1, 1_000_000), "reference": "bench"},
                effective_date=SPEC.start_date + timedelta(days=rng.randrange(days))) for _ in range(batch)]
            ledger.post_many(requests)
            conn.commit()
            posted += batch


def baseline(url: str) -> tuple[int, float]:
    """DuckDB copying every extracted table straight from Postgres: (rows, seconds)."""
    import duckdb

    extension = glob.glob(str(Path(duckdb.__file__).parent.parent / "duckdb_ext" / "extensions" / "*" / "*"
                              / "postgres_scanner.duckdb_extension"))[0]
    params = conninfo_to_dict(url)
    with tempfile.TemporaryDirectory() as folder:
        con = duckdb.connect(str(Path(folder) / "direct.duckdb"))
        con.execute(f"LOAD '{extension}'")
        con.execute(f"ATTACH 'dbname={params['dbname']} host={params.get('host', '')} user={params.get('user', 'postgres')}' "
                    "AS pg (TYPE postgres, READ_ONLY)")
        started, rows = time.perf_counter(), 0
        for table in TABLES:
            schema, name = table.split(".")
            con.execute(f"CREATE TABLE {schema}_{name} AS SELECT * FROM pg.{schema}.{name}")
            rows += con.execute(f"SELECT count(*) FROM {schema}_{name}").fetchone()[0]
        return rows, time.perf_counter() - started


def one_more_day(url: str) -> None:
    app, sim = open_simulation(url, SPEC)
    first = sim.prepare()
    sim.simulate(first, first)
    app.db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true", help="make a new bank")
    args = parser.parse_args()

    url = bank(server_url(), args.entries, args.rebuild)
    # The machines are shared: the baseline is measured right before and right after the full
    # EL, and the EL compared with their mean.
    direct_rows, before_seconds = baseline(url)
    warehouse = Path(tempfile.mkdtemp(prefix="lana-bench-warehouse-"))
    import os

    os.environ["LANA_WAREHOUSE_DIR"] = str(warehouse)
    try:
        print("full EL ...", file=sys.stderr)
        full_el = extract_load(url)
        _, after_seconds = baseline(url)
        print("full dbt build ...", file=sys.stderr)
        full_dbt = build(warehouse, full_refresh=True)
        print("one more simulated day, then the incremental EL and build ...", file=sys.stderr)
        one_more_day(url)
        day_el = extract_load(url)
        day_dbt = build(warehouse)
    finally:
        shutil.rmtree(warehouse, ignore_errors=True)

    entries = _entries(url)
    direct_seconds = (before_seconds + after_seconds) / 2
    direct_rate = direct_rows / direct_seconds
    el_rate = full_el.total / full_el.seconds
    full = full_el.seconds + full_dbt.seconds
    day = day_el.seconds + day_dbt.seconds
    print(f"\npipeline on a bank of {entries:,} ledger entries ({direct_rows:,} rows in the extracted tables)")
    print(f"  baseline: DuckDB reading Postgres directly   {direct_rate:12,.0f} rows/s  (before the EL "
          f"{before_seconds:.1f} s, after {after_seconds:.1f} s)")
    print(f"  full EL (Meltano: tap-postgres, target-duckdb) {el_rate:12,.0f} rows/s  ({full_el.seconds:.1f} s, "
          f"{full_el.total:,} rows)")
    print(f"  full EL / baseline                              {el_rate / direct_rate:12.3f} x   (target >= 0.100)")
    print(f"  full dbt build                                  {full_dbt.seconds:12.1f} s   "
          f"({full_dbt.models} models, {full_dbt.tests} tests)")
    print(f"  one more day: incremental EL                    {day_el.seconds:12.1f} s   ({day_el.total:,} rows)")
    print(f"  one more day: incremental dbt build             {day_dbt.seconds:12.1f} s")
    print(f"  one day / full refresh                          {day / full:12.3f} x   (target <= 0.100)")


if __name__ == "__main__":
    main()
