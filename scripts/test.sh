#!/usr/bin/env bash
# The whole check behind `make test` (and so .ci/run); stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
start=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - start ))"; }

# Tests choose their own databases and brokers; a developer's environment must not leak in.
unset DATABASE_URL CELERY_BROKER_URL DJANGO_SETTINGS_MODULE

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
CELERY_TEST_REDIS_URL=redis://127.0.0.1:6379/14 $PY -m pytest -p no:cacheprovider "$@"

step "pytest: PostgreSQL + Redis"
bash scripts/ensure-services.sh postgres redis
db=kyodo_ci
testdb=test_$db
psql_admin() { psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
psql_admin -c "DROP DATABASE IF EXISTS $testdb WITH (FORCE)"
# C.UTF-8 so that pg_trgm extracts trigrams from Japanese text.
psql_admin -c "CREATE DATABASE $testdb TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db \
CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \
CELERY_TEST_REDIS_URL=redis://127.0.0.1:6379/15 \
  $PY -m pytest -p no:cacheprovider --reuse-db "$@"

step "done in $(( $(date +%s) - start ))s"
