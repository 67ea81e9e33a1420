#!/usr/bin/env bash
# Runs the whole test suite (installing what it needs first). Extra arguments go to pytest.
# TEST_DATABASE_URL=postgresql+psycopg://… runs it against PostgreSQL instead of SQLite.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
.venv/bin/python -m pytest "$@"
rc=$?
if [ "$rc" -eq 5 ]; then echo "no tests were collected: failing" >&2; exit 1; fi
exit "$rc"
