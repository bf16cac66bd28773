# Sourced by the other scripts: make sure uv is available and the project's environment is in
# sync with uv.lock. Needs only Python 3.11 and access to the Python package index.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV_VERSION="0.13.8"
if command -v uv >/dev/null 2>&1; then
    UV="$(command -v uv)"
else
    UV="$ROOT/.lana/bootstrap/bin/uv"
    if [ ! -x "$UV" ]; then
        echo "installing uv $UV_VERSION into .lana/bootstrap ..." >&2
        python3 -m venv "$ROOT/.lana/bootstrap"
        "$ROOT/.lana/bootstrap/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
fi
export UV_PYTHON_DOWNLOADS=never  # use this machine's Python 3.11; never fetch one
"$UV" sync --frozen --quiet
export PATH="$ROOT/.venv/bin:$PATH"
