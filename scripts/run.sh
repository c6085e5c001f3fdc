#!/usr/bin/env bash
# Serves the portal and runs a Celery worker beside it; Ctrl-C (or TERM) stops both.
set -euo pipefail
host=${HOST:-127.0.0.1}
port=${PORT:-8000}

if [ -z "${CELERY_BROKER_URL:-}" ]; then
  echo "run: embedded default (SQLite in var/, filesystem broker in var/broker/)"
else
  echo "run: broker from CELERY_BROKER_URL, database from ${DATABASE_URL:+DATABASE_URL}${DATABASE_URL:-SQLite in var/}"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "run: stopping web server and worker"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

.venv/bin/celery -A portal worker --loglevel=INFO --concurrency=2 --hostname="portal@%h" &
pids+=($!)
.venv/bin/python manage.py runserver "$host:$port" --noreload &
pids+=($!)
echo "run: http://$host:$port/ (Ctrl-C to stop)"
# Stop everything as soon as either process ends on its own.
wait -n "${pids[@]}"
