#!/usr/bin/env bash
# Create .venv from the lock file and install the project into it (idempotent).
# With --system, also install the Debian packages the full test suite uses (PostgreSQL, Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

if [[ "${1:-}" == "--system" ]]; then
    missing=()
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    command -v chromium >/dev/null || missing+=(chromium)
    command -v chromedriver >/dev/null || missing+=(chromium-driver)
    if (( ${#missing[@]} )); then
        if [[ "$(id -u)" != 0 ]]; then
            echo "setup: need Debian packages ${missing[*]}; run as root or install them first" >&2
            exit 1
        fi
        echo "setup: installing ${missing[*]} from Debian packages"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
fi

if [[ ! -x .venv/bin/python ]]; then
    "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-lock
if [[ ! -f $stamp ]] || ! cmp -s requirements.lock "$stamp"; then
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
    cp requirements.lock "$stamp"
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
