#!/usr/bin/env bash
# Set up, generate a small sample when data/01_raw is empty, then run the default pipeline
# (ingestion → enrichment → quality). Extra arguments go to `kedro run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export KEDRO_DISABLE_TELEMETRY="${KEDRO_DISABLE_TELEMETRY:-1}"
if [[ ! -f data/01_raw/sbir_awards.csv ]]; then
    echo "run: data/01_raw has no SBIR awards file; generating the built-in sample first"
    .venv/bin/kedro run --pipelines sample_data
fi
.venv/bin/kedro run "$@"
