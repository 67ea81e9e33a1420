#!/usr/bin/env bash
# One command for a fresh Debian machine: set everything up, load the demo province on the
# embedded SQLite database and start the system on http://127.0.0.1:${PORT:-5000}/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export APP_ENV=${APP_ENV:-development}
.venv/bin/flask --app app init-db
.venv/bin/flask --app app demo
echo
echo "系统地址：http://127.0.0.1:${PORT:-5000}/   （Ctrl+C 停止）"
# The scheduler (overdue scans, LED checks, scores, bulletin drafts, erasure) runs alongside the
# web server in its own process and stops with it (docs/operations.md).
.venv/bin/flask --app app scheduler &
scheduler_pid=$!
trap 'kill "$scheduler_pid" 2>/dev/null || true; wait "$scheduler_pid" 2>/dev/null || true' EXIT
trap 'exit 143' TERM
.venv/bin/flask --app app run --host 127.0.0.1 --port "${PORT:-5000}"
