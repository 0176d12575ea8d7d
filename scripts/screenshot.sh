#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and saves a PNG screenshot, to check that the
# report looks right in a real browser.
#
#   scripts/screenshot.sh report.html report.png [HEIGHT]
#
# Without HEIGHT the page is measured first: a copy of it with a one-line script that writes
# the document's height into the page is loaded with --dump-dom, and the screenshot is taken
# at that height, so the whole report fits whatever its length.
# Installs Debian's chromium package first when no chromium is on the PATH (needs root and
# network access). The browser runs with a throw-away profile and no background networking.
set -euo pipefail

html=${1:?usage: scripts/screenshot.sh REPORT.html OUT.png [HEIGHT]}
png=${2:?usage: scripts/screenshot.sh REPORT.html OUT.png [HEIGHT]}
height=${3:-}

if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium not found; installing Debian's chromium package" >&2
    apt-get update -qq
    apt-get install -y -qq chromium >/dev/null
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
browse() {
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
        --user-data-dir="$profile" --window-size=1280,"${height:-1000}" "$@" 2>/dev/null
}
if [ -z "$height" ]; then
    probe="$profile/measure.html"
    cat "$html" > "$probe"
    echo '<script>document.body.setAttribute("data-height", document.documentElement.scrollHeight)</script>' >> "$probe"
    height=$(browse --dump-dom "file://$probe" | grep -o 'data-height="[0-9]*"' | grep -o '[0-9]*' | head -1)
    [ -n "$height" ] || { echo "could not measure the page's height" >&2; exit 1; }
fi
browse --screenshot="$(realpath -m "$png")" "file://$(realpath "$html")"
echo "wrote $png (1280 x $height)"
