#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and saves a PNG screenshot, to check that the
# report looks right in a real browser.
#
#   scripts/screenshot.sh report.html report.png [HEIGHT]
#
# Installs Debian's chromium package first when no chromium is on the PATH (needs root and
# network access). The browser runs with a throw-away profile and no background networking.
set -euo pipefail

html=${1:?usage: scripts/screenshot.sh REPORT.html OUT.png [HEIGHT]}
png=${2:?usage: scripts/screenshot.sh REPORT.html OUT.png [HEIGHT]}
height=${3:-4000}

if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium not found; installing Debian's chromium package" >&2
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
    --user-data-dir="$profile" --window-size=1280,"$height" \
    --screenshot="$(realpath -m "$png")" "file://$(realpath "$html")" 2>/dev/null
echo "wrote $png"
