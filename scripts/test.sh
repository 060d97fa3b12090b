#!/usr/bin/env bash
# Run every check the project has: lint, format, types, then the whole pytest suite
# (unit tests and integration tests against a real local Kafka broker that the suite
# starts itself). Extra arguments go to pytest, e.g. ./scripts/test.sh -k seed
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
./scripts/system-deps.sh
. .venv/bin/activate

echo "== ruff check";        ruff check services tests bench setup.py
echo "== ruff format";       ruff format --check services tests bench setup.py
echo "== mypy (strict)";     mypy
echo "== pytest";            python -m pytest "$@"
