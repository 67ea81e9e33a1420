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
exec .venv/bin/flask --app app run --host 127.0.0.1 --port "${PORT:-5000}"
