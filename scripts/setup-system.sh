#!/usr/bin/env bash
# Installs the Debian packages the portal needs, only those that are missing (idempotent).
set -euo pipefail

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0  # WeasyPrint
  fonts-noto-cjk                                                      # Japanese glyphs in PDFs
  poppler-utils                                                       # pdftotext / pdffonts in tests
  libreoffice-calc-nogui                                              # XLSX files open in a real spreadsheet (tests)
  chromium                                                            # browser tests
  sqlite3 postgresql-client redis-tools                               # clients used by scripts
)

missing=()
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: system packages present"
  exit 0
fi

echo "setup: installing system packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
