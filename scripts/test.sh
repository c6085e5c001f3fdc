#!/usr/bin/env bash
# The whole check behind `make test` (and so .ci/run); stops at the first failure.
#
# Two pytest legs, each on TEST_WORKERS pytest-xdist workers (default 2; 0 runs in-process):
#   - the embedded default (SQLite, filesystem broker) runs every test except the `once` ones;
#   - PostgreSQL + Redis runs every test except the `embedded` ones.
# `once` (engine-agnostic) and `embedded` are given in tests/conftest.py; real workers run one at
# a time (xdist group). Each xdist worker gwN has its own SQLite file or PostgreSQL database
# (pytest-django's `_gwN` suffix) and its own Redis database: the leg's first one plus N
# (portal/settings/test.py). Redis databases, by default: SQLite leg 12–13, PostgreSQL leg 14–15.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
WORKERS=${TEST_WORKERS:-2}
REDIS_DB_SQLITE=${TEST_REDIS_DB_SQLITE:-12}
REDIS_DB_POSTGRES=${TEST_REDIS_DB_POSTGRES:-14}
db=${TEST_PG_DB:-kyodo_ci}

start=$(date +%s)
step_name="" step_start=$start
timings=()
finish_step() {
  if [ -n "$step_name" ]; then
    local took=$(( $(date +%s) - step_start ))
    printf '== %s: %ss\n' "$step_name" "$took"
    timings+=("$(printf '%6ss  %s' "$took" "$step_name")")
  fi
}
step() {
  finish_step
  step_name=$1 step_start=$(date +%s)
  printf '\n== %s (at %ss)\n' "$1" "$(( step_start - start ))"
}

# Tests choose their own databases and brokers; a developer's environment must not leak in.
unset DATABASE_URL CELERY_BROKER_URL DJANGO_SETTINGS_MODULE

xdist=()
if [ "$WORKERS" -gt 0 ]; then
  xdist=(-n "$WORKERS" --dist loadgroup)
fi

step "ruff check"
.venv/bin/ruff check .
step "ruff format --check"
.venv/bin/ruff format --check .

step "mypy (services, selectors, access rules)"
.venv/bin/mypy

step "makemigrations --check"
$PY manage.py makemigrations --check --dry-run

step "check --deploy (production settings, .env.example)"
bash scripts/check-deploy.sh

# pytest exits 5 when it collects nothing; that must fail too (it does: any non-zero fails).
step "pytest: embedded default (SQLite, filesystem broker; worker tests on Redis)"
bash scripts/ensure-services.sh redis
CELERY_TEST_REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB_SQLITE \
  $PY -m pytest -p no:cacheprovider "${xdist[@]}" -m "not once" "$@"

step "pytest: PostgreSQL + Redis"
bash scripts/ensure-services.sh postgres redis
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
testdbs=("test_$db")
if [ "$WORKERS" -gt 0 ]; then
  testdbs=()
  for n in $(seq 0 $(( WORKERS - 1 ))); do testdbs+=("test_${db}_gw$n"); done
fi
for testdb in "${testdbs[@]}"; do
  psql_admin -c "DROP DATABASE IF EXISTS $testdb WITH (FORCE)"
  # C.UTF-8 so that pg_trgm extracts trigrams from Japanese text.
  psql_admin -c "CREATE DATABASE $testdb TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
done
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db \
CELERY_BROKER_URL=redis://127.0.0.1:6379/$REDIS_DB_POSTGRES \
CELERY_TEST_REDIS_URL=redis://127.0.0.1:6379/$REDIS_DB_POSTGRES \
  $PY -m pytest -p no:cacheprovider --reuse-db "${xdist[@]}" -m "not embedded" "$@"

finish_step
step_name=""
printf '\n== time per step\n'
printf '%s\n' "${timings[@]}"
printf '== done in %ss\n' "$(( $(date +%s) - start ))"
