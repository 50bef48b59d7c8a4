#!/usr/bin/env bash
# Starts the development web server and a Celery worker with beat; Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

.venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=1 \
  --schedule=var/celerybeat-schedule &
pids+=($!)
echo "Site: http://127.0.0.1:${PORT}/  (emails are written to var/mail/; Ctrl-C stops everything)"
.venv/bin/python manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
wait -n "${pids[@]}"
