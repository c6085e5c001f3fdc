#!/usr/bin/env bash
# Serves the portal with a Celery worker and Celery beat beside it. The web server stays up when
# the worker or beat dies: they are started again. Ctrl-C (or TERM) stops all three.
set -uo pipefail
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
restart_delay=${RUN_RESTART_DELAY:-2}
stop_timeout=${RUN_STOP_TIMEOUT:-20} # seconds a process has to stop after Ctrl-C before it is killed

if [ -z "${CELERY_BROKER_URL:-}" ]; then
  echo "run: embedded default (SQLite in var/, filesystem broker in var/broker/)"
else
  echo "run: broker from CELERY_BROKER_URL, database from ${DATABASE_URL:+DATABASE_URL}${DATABASE_URL:-SQLite in var/}"
fi

declare -A pid_of=() # process name -> pid
name_of() {
  local name
  for name in "${!pid_of[@]}"; do
    if [ "${pid_of[$name]}" = "$1" ]; then echo "$name"; return; fi
  done
}

start() {
  case "$1" in
    worker) .venv/bin/celery -A portal worker --loglevel=INFO --concurrency=2 --hostname="portal@%h" & ;;
    # Beat's schedule file is under var/ (CELERY_BEAT_SCHEDULE_FILENAME in the settings).
    beat) .venv/bin/celery -A portal beat --loglevel=INFO & ;;
    web) .venv/bin/python manage.py runserver "$host:$port" --noreload & ;;
  esac
  pid_of[$1]=$!
  echo "run: $1 started (pid ${pid_of[$1]})"
}

stopping=0
stop() {
  stopping=1
  trap - INT TERM EXIT
  echo
  echo "run: stopping web server, worker and beat"
  for pid in "${pid_of[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # A warm shutdown finishes the tasks in hand; one that does not end in time is killed, with its
  # pool processes, so that Ctrl-C always returns (as `docker stop` does after its grace period).
  local deadline=$((SECONDS + stop_timeout)) name pid running
  while [ "$SECONDS" -lt "$deadline" ]; do
    running=0
    for pid in "${pid_of[@]}"; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ "$running" = 0 ] && break
    sleep 0.2
  done
  for name in "${!pid_of[@]}"; do
    pid=${pid_of[$name]}
    if kill -0 "$pid" 2>/dev/null; then
      echo "run: $name (pid $pid) did not stop within ${stop_timeout}s; killing it"
      pkill -KILL -P "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

start worker
start beat
start web
echo "run: http://$host:$port/ (Ctrl-C to stop)"

# Supervise: wait for any process to end; the web server ending ends the run, the others restart.
while [ "$stopping" = 0 ]; do
  ended=""
  wait -n -p ended "${pid_of[@]}"
  status=$?
  [ "$stopping" = 0 ] || break
  [ -n "$ended" ] || continue # woken by a signal, not by a process ending
  name=$(name_of "$ended")
  if [ "$name" = web ]; then
    echo "run: web server ended (status $status)"
    exit "$status"
  fi
  echo "run: $name ended (status $status); starting it again in ${restart_delay}s"
  sleep "$restart_delay"
  [ "$stopping" = 0 ] && start "$name"
done
