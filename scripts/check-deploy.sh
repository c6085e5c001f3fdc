#!/usr/bin/env bash
# `manage.py check --deploy` under production settings with the example environment.
# .env.example ships no usable SECRET_KEY (production refuses placeholders), so one is generated.
set -euo pipefail
cd "$(dirname "$0")/.."
set -a
# shellcheck disable=SC1091
. ./.env.example
set +a
SECRET_KEY=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
DJANGO_SETTINGS_MODULE=portal.settings.production \
  .venv/bin/python manage.py check --deploy --fail-level WARNING
