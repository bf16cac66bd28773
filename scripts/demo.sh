#!/usr/bin/env bash
# The main job on the embedded defaults: start PostgreSQL, migrate, simulate the demo bank (a
# year of 150 customers through the real services), print its summary and trial balance; then
# the data platform: extract-load, dbt, the quality gates, every report, and where the files are.
source "$(dirname "$0")/bootstrap.sh"
# The regulator's XSDs, which XML reports must satisfy: a deployment points LANA_SSF_XSD_DIR at
# its own copy; here, the team's reference folder beside the project, when there is one.
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${LANA_SSF_XSD_DIR:-}" ] && [ -d "$ROOT/../shared/reference/ssf-xsd" ]; then
    export LANA_SSF_XSD_DIR="$ROOT/../shared/reference/ssf-xsd"
fi
exec lana demo "$@"
