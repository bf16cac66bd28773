#!/usr/bin/env bash
# Benchmarks (figures, not pass/fail), each against a baseline measured in the same run:
#   ./scripts/bench.sh [ledger|end-of-day|simulate|pipeline|all] [options of that benchmark, e.g. --quick]
source "$(dirname "$0")/bootstrap.sh"
which="${1:-all}"
[ $# -gt 0 ] && shift
case "$which" in
  ledger) exec python benchmarks/ledger_posting.py "$@" ;;
  end-of-day) exec python benchmarks/end_of_day.py "$@" ;;
  simulate) exec python benchmarks/simulate.py "$@" ;;
  pipeline) exec python benchmarks/pipeline.py "$@" ;;
  all) python benchmarks/ledger_posting.py "$@" && python benchmarks/end_of_day.py "$@" &&
       python benchmarks/simulate.py "$@" && exec python benchmarks/pipeline.py ;;
  *) echo "usage: $0 [ledger|end-of-day|simulate|pipeline|all] [--quick]" >&2; exit 2 ;;
esac
