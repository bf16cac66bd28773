#!/usr/bin/env bash
# The whole test suite, against real PostgreSQL (an embedded test server the tests start).
source "$(dirname "$0")/bootstrap.sh"
exec pytest "$@"
