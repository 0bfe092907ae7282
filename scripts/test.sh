#!/usr/bin/env bash
# Set up (venv from the lock, PostgreSQL and Chromium from Debian packages), then run the
# test suite and a small benchmark that fails on a performance or quality regression.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
export KEDRO_DISABLE_TELEMETRY="${KEDRO_DISABLE_TELEMETRY:-1}"
.venv/bin/python -m pytest "$@"
