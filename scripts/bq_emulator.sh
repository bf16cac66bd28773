#!/usr/bin/env bash
# A local BigQuery (bqemulator, in its own environment under .lana/bqemulator/) for dbt and
# the BigQuery client, offline.
#   scripts/bq_emulator.sh install    install it (quick when it is installed)
#   scripts/bq_emulator.sh start      start one in the background (127.0.0.1:9050, gRPC 9060;
#                                     LANA_BQ_EMULATOR_PORT / _GRPC_PORT / _PROJECT change them);
#                                     prints the export line for the dbt target bigquery_emulator
#                                     (and, as a comment, the variables for Meltano's target-bigquery)
#   scripts/bq_emulator.sh stop | status | endpoint
source "$(dirname "$0")/bootstrap.sh"
exec python -m lana_core.warehouse.bigquery_emulator "$@"
