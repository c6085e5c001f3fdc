# kyodo-portal: `make run` serves the portal, `make test` runs every check. Both start with setup.
SHELL := /bin/bash
PY := .venv/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup system venv migrate seed run worker beat test lint typecheck format lock clean screenshots

setup: system venv migrate seed ## install what is missing, migrate, load the demo data

system:
	@bash scripts/setup-system.sh

venv:
	@bash scripts/setup-venv.sh

migrate: venv
	@mkdir -p var
	@$(MANAGE) migrate --noinput

seed: venv
	@$(MANAGE) seed_demo

run: setup ## web server on http://$(HOST):$(PORT)/, a Celery worker and beat (restarted if they die); Ctrl-C stops all
	@HOST=$(HOST) PORT=$(PORT) bash scripts/run.sh

worker: venv
	@.venv/bin/celery -A portal worker -l info --concurrency 2

beat: venv ## the periodic tasks alone (make run starts beat already)
	@.venv/bin/celery -A portal beat -l info

test: setup ## lint, migrations, deploy check, tests on SQLite and on PostgreSQL + Redis
	@bash scripts/test.sh

screenshots: setup ## every page as each role at 390 and 1280 px into var/screenshots/pages/ (fails on overflow or vertical text)
	@bash scripts/ensure-services.sh postgres redis
	@DATABASE_URL=$${SCREENSHOTS_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kyodo_screenshots} \
	  CELERY_BROKER_URL=redis://127.0.0.1:6379/11 CELERY_TEST_REDIS_URL=redis://127.0.0.1:6379/11 \
	  PORTAL_SCREENSHOTS=1 .venv/bin/pytest -p no:randomly -q --create-db tests/e2e/test_screenshots.py

lint: venv
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

typecheck: venv
	@.venv/bin/mypy

format: venv
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

lock: venv ## re-pin requirements.lock from pyproject.toml
	@$(PY) -m pip install --quiet uv
	@.venv/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf var/broker var/celerybeat-schedule* var/test-portal.sqlite3 .pytest_cache .ruff_cache
