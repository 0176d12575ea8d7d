#!/usr/bin/env bash
# The side-by-side of BENCHMARKS.md in one go: builds the Rust simulator, creates
# benches/python/.venv with the pinned NumPy if missing, and runs both implementations of
# scenarios/openai.toml on the same number of paths, printing their probabilities with Wilson
# 95% intervals, an agreement check, and their timings.
#
#   benches/python/run.sh [PATHS]        (default 1000000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
paths="${1:-1000000}"

if [ ! -x "$here/.venv/bin/python" ]; then
    python3 -m venv "$here/.venv"
    "$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
"$here/.venv/bin/python" "$here/compare.py" \
    --simulate "$root/target/release/simulate" \
    --scenario "$root/scenarios/openai.toml" \
    --paths "$paths"
