#!/usr/bin/env bash
# The main job on the embedded defaults: start PostgreSQL, migrate, simulate the demo bank (a
# year of 150 customers through the real services), print its summary and trial balance.
source "$(dirname "$0")/bootstrap.sh"
exec lana demo "$@"
