#!/usr/bin/env bash
# The browser test of `simulate serve` (tests/browser/serve.mjs) in a real headless Chromium.
#
#   scripts/browser-test.sh [SCREENSHOT.png]
#
# Installs what it needs: Debian's chromium package when no chromium is on the PATH (needs root
# and network access), and playwright-core from npm (pinned in tests/browser/package-lock.json;
# it drives the system's Chromium and downloads no browser). Builds target/release/simulate if
# it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium not found; installing Debian's chromium package" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null 2>&1; then
    echo "node not found; installing Debian's nodejs and npm packages" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/browser && npm ci --no-audit --no-fund --silent)
[ -x target/release/simulate ] || cargo build --release
node tests/browser/serve.mjs target/release/simulate "$(command -v chromium)" "$@"
