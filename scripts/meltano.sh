#!/usr/bin/env bash
# Meltano in its own environment, apart from the project's .venv: Meltano itself in
# .lana/meltano/venv, its plugins (meltano.yml) in .meltano/, installed on first use and again
# whenever meltano.yml's pip_urls or MELTANO_VERSION change; otherwise it starts at once.
#   ./scripts/meltano.sh                                    install (or check) only
#   ./scripts/meltano.sh run tap-postgres target-duckdb     any meltano command (`lana pipeline el`
#                                                           runs this one)
# The warehouse folder is $LANA_WAREHOUSE_DIR (default $LANA_HOME/warehouse, else .lana/warehouse);
# Meltano's system database, which holds the bookmarks, lives in it (meltano.db).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MELTANO_VERSION="4.4.1"
VENV="$ROOT/.lana/meltano/venv"
STAMP="$ROOT/.meltano/lana-installed"

export LANA_WAREHOUSE_DIR="${LANA_WAREHOUSE_DIR:-${LANA_HOME:-$ROOT/.lana}/warehouse}"
export MELTANO_DATABASE_URI="${MELTANO_DATABASE_URI:-sqlite:///$LANA_WAREHOUSE_DIR/meltano.db}"
export MELTANO_SEND_ANONYMOUS_USAGE_STATS=false  # no network but the package index here
export MELTANO_CLI_DISABLE_VERSION_CHECK=true
mkdir -p "$LANA_WAREHOUSE_DIR/tmp" "$ROOT/.meltano"

# Meltano keeps one working folder per plugin (.meltano/run/: config, catalog, state files), so
# two Meltano commands at once would overwrite each other's: they take turns. The lock is held by
# Meltano and its plugins until the last of them exits. (lana_core/warehouse/el.py takes it
# itself, and says so with LANA_MELTANO_LOCK_HELD=1.)
if [ "${LANA_MELTANO_LOCK_HELD:-}" != 1 ]; then
    exec 9>"$ROOT/.meltano/lana.lock"
    if ! flock -n 9; then
        echo "waiting for another Meltano command of this project to finish ..." >&2
        flock 9
    fi
fi

wanted="$(echo "meltano==$MELTANO_VERSION"; grep -E '^\s*pip_url:' "$ROOT/meltano.yml")"
if [ ! -x "$VENV/bin/meltano" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$wanted" ]; then
    echo "installing Meltano $MELTANO_VERSION and its plugins (once) ..." >&2
    source "$ROOT/scripts/bootstrap.sh"  # uv
    "$UV" venv --quiet --allow-existing --python 3.11 "$VENV"
    "$UV" pip install --quiet --python "$VENV/bin/python" "meltano==$MELTANO_VERSION"
    (cd "$ROOT" && "$VENV/bin/meltano" --log-level=warning install)
    echo "$wanted" >"$STAMP"
fi

cd "$ROOT"
[ $# -eq 0 ] || exec "$VENV/bin/meltano" "$@"
