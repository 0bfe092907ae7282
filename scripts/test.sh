#!/usr/bin/env bash
# Set up (venv from the lock, PostgreSQL and Chromium from Debian packages), then run the
# test suite and a small benchmark that fails on a performance or quality regression.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
export KEDRO_DISABLE_TELEMETRY="${KEDRO_DISABLE_TELEMETRY:-1}"
.venv/bin/python -m pytest "$@"
# The benchmark at the CI size, compared with the stored baseline: a FAILURE exits non-zero
# (docs/performance.md, "Regression detection"). SBIR_SKIP_BENCHMARK=1 skips it.
if [[ "${SBIR_SKIP_BENCHMARK:-0}" != 1 ]]; then
    .venv/bin/kedro run --pipelines benchmark --params "benchmark.sizes=[1000],benchmark.repeats=3"
fi
