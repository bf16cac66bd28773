#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail): ledger posting throughput against a same-run baseline.
source "$(dirname "$0")/bootstrap.sh"
exec python benchmarks/ledger_posting.py "$@"
