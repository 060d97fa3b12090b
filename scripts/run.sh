#!/usr/bin/env bash
# The main job on a fresh machine: install into .venv, then `tocsin up`: start a local
# Kafka broker, the ingest service and the aggregator, post the sample article, and
# print where to look and the running totals. Ctrl-C stops everything it started.
# Arguments go to `tocsin up`, e.g. ./scripts/run.sh --today 2022-01-10 (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
# exec: Ctrl-C and SIGTERM go straight to `tocsin up`, which stops what it started.
exec .venv/bin/tocsin up "$@"
