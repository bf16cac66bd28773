#!/usr/bin/env bash
# The main job on the embedded defaults: start PostgreSQL, migrate, load the default chart of
# accounts, post the sample books, print the trial balance.
source "$(dirname "$0")/bootstrap.sh"
exec lana demo "$@"
