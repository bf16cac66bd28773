"""Ledger posting throughput and latency, against a baseline measured in the same run.

    uv run python benchmarks/ledger_posting.py [--quick] [--json FILE]

Runs on a durable PostgreSQL (fsync and synchronous_commit on): the embedded benchmark server
under .lana/pgdata-bench, or LANA_BENCH_DATABASE_URL. Every scenario posts a two-entry template
transaction with an idempotency key through ``Ledger`` (resolution, validation, hashing, the
posting function), as business code does. Scenarios:

- baseline: a bare transaction of one INSERT and one UPDATE through the same driver: the floor
  any ledger pays per commit on this server.
- single: one posting per database transaction (BEGIN, the posting, COMMIT: as a unit of work).
- single, autocommit: the posting call is the whole transaction (one round trip).
- batched: 100, and 1,000, postings per database transaction.

The first three run in alternating rounds and report medians (see main()).
- concurrent: several workers, each posting on its own accounts.
- hot account: the same workers, every posting touching one shared account.

Machines here are shared and noisy: compare the ratios, not the absolute rates.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lana_core.config import Settings  # noqa: E402
from lana_core.db.embedded import EmbeddedPostgres  # noqa: E402
from lana_core.db.migrate import migrate  # noqa: E402
from lana_core.ledger import (  # noqa: E402
    Direction,
    EntryTemplate,
    Ledger,
    Param,
    ParamType,
    PostingRequest,
    Ref,
    TransactionTemplate,
)
from lana_core.money import Currency  # noqa: E402

TRANSFER = TransactionTemplate(
    code="BENCH_TRANSFER",
    description="Transfer {reference}",
    params=(
        Param("from_account", ParamType.ACCOUNT),
        Param("to_account", ParamType.ACCOUNT),
        Param("amount", ParamType.AMOUNT),
        Param("reference", ParamType.STRING),
    ),
    entries=(
        EntryTemplate(Ref("from_account"), Direction.DEBIT, Ref("amount"), Currency.USD),
        EntryTemplate(Ref("to_account"), Direction.CREDIT, Ref("amount"), Currency.USD),
    ),
)
CUSTOMERS = 1_000
WORKERS = 8


@dataclass
class Result:
    scenario: str
    postings: int
    seconds: float
    postings_per_second: float
    p50_ms: float
    p99_ms: float
    unit: str  # what one latency sample measures


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50 * 1000, p99 * 1000


def result(name: str, postings: int, seconds: float, samples: list[float], unit: str) -> Result:
    p50, p99 = percentiles(samples)
    return Result(name, postings, seconds, postings / seconds, p50, p99, unit)


def server_url() -> str:
    import os

    external = os.environ.get("LANA_BENCH_DATABASE_URL")
    if external:
        return external
    server = EmbeddedPostgres(Settings.from_env().home / "pgdata-bench")
    server.start()
    # Durable defaults, stated explicitly so a reused data folder cannot be left relaxed.
    server.configure({"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"})
    return server.url("postgres")


def fresh_database(admin_url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS lana_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE lana_bench")
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'server_version')"
        ).fetchall())
    url = make_conninfo(**(conninfo_to_dict(admin_url) | {"dbname": "lana_bench"}))
    migrate(url)
    print(f"server: PostgreSQL {settings['server_version']}, fsync={settings['fsync']}, "
          f"synchronous_commit={settings['synchronous_commit']}", file=sys.stderr)
    return url


def setup_books(url: str) -> None:
    with psycopg.connect(url) as conn:
        ledger = Ledger(conn)
        ledger.create_account("HOT", "Hot omnibus", Direction.DEBIT)
        for i in range(CUSTOMERS):
            ledger.create_account(f"C{i}", f"Customer {i}", Direction.CREDIT, prevent_overdraft=True)
        # Fund every customer so transfers between them pass the overdraft control.
        ledger.post_many([
            PostingRequest(template=TRANSFER, params={"from_account": "HOT", "to_account": f"C{i}",
                                                      "amount": 10**12, "reference": "seed"})
            for i in range(CUSTOMERS)
        ])
        conn.commit()
        conn.execute("CREATE TABLE bench_log (id bigserial PRIMARY KEY, account int NOT NULL, amount bigint NOT NULL,"
                     " recorded_at timestamptz NOT NULL DEFAULT now())")
        conn.execute("CREATE TABLE bench_counter (id int PRIMARY KEY, total bigint NOT NULL)")
        conn.execute("INSERT INTO bench_counter SELECT g, 0 FROM generate_series(0, %s) g", (CUSTOMERS,))
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def transfer(rng: random.Random, seq: str, accounts: list[str], hot: bool = False) -> PostingRequest:
    a, b = rng.sample(accounts, 2)
    if hot:
        a = "HOT"
    return PostingRequest(template=TRANSFER, idempotency_key=seq,
                          params={"from_account": a, "to_account": b, "amount": rng.randint(1, 10_000),
                                  "reference": seq})


def bench_baseline(url: str, n: int) -> Result:
    rng = random.Random(1)
    samples = []
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        for _ in range(n):
            t0 = time.perf_counter()
            account = rng.randrange(CUSTOMERS)
            conn.execute("INSERT INTO bench_log (account, amount) VALUES (%s, %s)", (account, 5))
            conn.execute("UPDATE bench_counter SET total = total + %s WHERE id = %s", (5, account))
            conn.commit()
            samples.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    return result("baseline: INSERT+UPDATE per transaction", n, elapsed, samples, "transaction")


def bench_single(url: str, n: int, tag: str) -> Result:
    rng = random.Random(2)
    accounts = [f"C{i}" for i in range(CUSTOMERS)]
    samples = []
    with psycopg.connect(url) as conn:
        ledger = Ledger(conn)
        start = time.perf_counter()
        for i in range(n):
            t0 = time.perf_counter()
            ledger.post_many([transfer(rng, f"{tag}-{i}", accounts)])
            conn.commit()
            samples.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    return result("single: 1 posting per transaction", n, elapsed, samples, "posting")


def bench_single_autocommit(url: str, n: int, tag: str) -> Result:
    """A posting that is its own transaction: one statement, one round trip, no BEGIN/COMMIT."""
    rng = random.Random(4)
    accounts = [f"C{i}" for i in range(CUSTOMERS)]
    samples = []
    with psycopg.connect(url, autocommit=True) as conn:
        ledger = Ledger(conn)
        start = time.perf_counter()
        for i in range(n):
            t0 = time.perf_counter()
            ledger.post_many([transfer(rng, f"{tag}-{i}", accounts)])
            samples.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    return result("single, autocommit: the posting is the whole transaction", n, elapsed, samples, "posting")


def bench_batched(url: str, batches: int, size: int, tag: str) -> Result:
    rng = random.Random(3)
    accounts = [f"C{i}" for i in range(CUSTOMERS)]
    samples = []
    with psycopg.connect(url) as conn:
        ledger = Ledger(conn)
        start = time.perf_counter()
        for b in range(batches):
            requests = [transfer(rng, f"{tag}-{b}-{i}", accounts) for i in range(size)]
            t0 = time.perf_counter()
            ledger.post_many(requests)
            conn.commit()
            samples.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - start
    return result(f"batched: {size} postings per transaction", batches * size, elapsed, samples, f"batch of {size}")


def bench_concurrent(url: str, per_worker: int, hot: bool, tag: str) -> Result:
    samples: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS + 1)

    def worker(w: int) -> None:
        rng = random.Random(100 + w)
        # Disjoint accounts per worker, so only the hot account is shared.
        accounts = [f"C{i}" for i in range(w, CUSTOMERS, WORKERS)]
        mine = []
        with psycopg.connect(url) as conn:
            ledger = Ledger(conn)
            barrier.wait()
            for i in range(per_worker):
                t0 = time.perf_counter()
                ledger.post_many([transfer(rng, f"{tag}-{w}-{i}", accounts, hot=hot)])
                conn.commit()
                mine.append(time.perf_counter() - t0)
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    name = (f"hot account: {WORKERS} workers, every posting on one account" if hot
            else f"concurrent: {WORKERS} workers, own accounts")
    return result(name, WORKERS * per_worker, elapsed, samples, "posting")


def median_result(name: str, rounds: list[Result]) -> Result:
    """One figure from interleaved rounds: the median rate, latencies over all samples."""
    rate = statistics.median(r.postings_per_second for r in rounds)
    return Result(name, sum(r.postings for r in rounds), sum(r.seconds for r in rounds), rate,
                  statistics.median(r.p50_ms for r in rounds), max(r.p99_ms for r in rounds), rounds[0].unit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    rounds = 3 if args.quick else 9

    url = fresh_database(server_url())
    print("setting up 1,000 funded accounts ...", file=sys.stderr)
    setup_books(url)
    bench_single(url, 300, "warmup")  # plan caches, buffers
    bench_baseline(url, 300)
    bench_batched(url, 5, 100, "warmup")

    # The baseline, single and batched scenarios run in alternating short rounds, so that the
    # machine's drift (shared, noisy) hits all of them alike; each ratio is taken per round.
    scenarios = {
        "baseline": lambda i: bench_baseline(url, 400),
        "single": lambda i: bench_single(url, 400, f"single-{i}"),
        "autocommit": lambda i: bench_single_autocommit(url, 400, f"auto-{i}"),
        "batched": lambda i: bench_batched(url, 20, 100, f"batch-{i}"),
        "batched_1000": lambda i: bench_batched(url, 3, 1_000, f"big-{i}"),
    }
    measured: dict[str, list[Result]] = {name: [] for name in scenarios}
    for i in range(rounds):
        print(f"round {i + 1}/{rounds}", file=sys.stderr)
        for name, run in scenarios.items():
            measured[name].append(run(i))
    per_round = {
        name: statistics.median(
            r.postings_per_second / b.postings_per_second for r, b in zip(rs, measured["baseline"], strict=True)
        )
        for name, rs in measured.items()
    }
    baseline, single, autocommit, batched, batched_1000 = (
        median_result(rs[0].scenario, rs) for rs in measured.values()
    )
    print("concurrent scenarios ...", file=sys.stderr)
    concurrent = bench_concurrent(url, 300 if not args.quick else 100, hot=False, tag="conc")
    hot = bench_concurrent(url, 300 if not args.quick else 100, hot=True, tag="hot")
    after = bench_baseline(url, 1_000)  # how far the machine drifted meanwhile

    ratios = {
        baseline.scenario: 1.0,
        single.scenario: per_round["single"],
        autocommit.scenario: per_round["autocommit"],
        batched.scenario: per_round["batched"],
        batched_1000.scenario: per_round["batched_1000"],
        concurrent.scenario: concurrent.postings_per_second / after.postings_per_second,
        hot.scenario: hot.postings_per_second / after.postings_per_second,
    }
    print()
    print(f"{'scenario':<58} {'per second':>12} {'p50 ms':>8} {'p99 ms':>8} {'vs baseline':>12}")
    for r in (baseline, single, autocommit, batched, batched_1000, concurrent, hot):
        print(f"{r.scenario:<58} {r.postings_per_second:>12,.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
              f"{ratios[r.scenario]:>11.2f}x")
    print(f"{'(baseline again, after the concurrent scenarios)':<58} {after.postings_per_second:>12,.0f}")
    print()
    print(f"{rounds} interleaved rounds; ratios are medians of per-round ratios (concurrent ones: "
          "against the baseline measured right after them)")
    print(f"targets: single >= 1,000/s: {single.postings_per_second:,.0f}  "
          f"batched >= 10,000/s: {batched.postings_per_second:,.0f}  "
          f"single >= 0.5x baseline: {ratios[single.scenario]:.2f}x")
    if args.json:
        args.json.write_text(json.dumps({
            "results": [asdict(r) | {"vs_baseline": ratios[r.scenario]}
                        for r in (baseline, single, autocommit, batched, batched_1000, concurrent, hot)],
            "baseline_after": asdict(after),
        }, indent=2))


if __name__ == "__main__":
    main()
