#!/usr/bin/env bash
# Creates .venv and installs exactly the pins of requirements.lock; does nothing when unchanged.
set -euo pipefail
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
stamp=.venv/.requirements.lock.sha256
want=$(sha256sum requirements.lock | cut -d' ' -f1)

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $("$python" --version)"
  "$python" -m venv .venv
fi
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "setup: .venv matches requirements.lock"
  exit 0
fi
echo "setup: installing requirements.lock into .venv"
# (grep drops pip's notes about package-index folders of this machine's pip.conf that don't exist)
.venv/bin/python -m pip install --quiet -r requirements.lock 2> >(grep -v "is ignored: it is neither" >&2)
echo "$want" > "$stamp"
