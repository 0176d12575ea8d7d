#!/usr/bin/env bash
# The Python package's tests (python/tests, pytest), in a venv of the project's own:
# target/python-venv, created on first use with the pinned python/requirements-test.txt.
# Assumes nothing but python3 (installs Debian's python3-venv if venv is missing, which needs
# root) and a Rust toolchain. Builds target/release/simulate if missing: the tests compare the
# package with the command line.
#
#   scripts/python-test.sh [PYTEST ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-venv
# The venv first on the PATH: pip runs its maturin without build isolation.
export PATH="$PWD/$venv/bin:$PATH"
if [ ! -x "$venv/bin/python" ]; then
    if ! python3 -m venv "$venv" 2>/dev/null; then
        echo "python3 cannot create a venv; installing Debian's python3-venv" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r python/requirements-test.txt
# The package itself, built by maturin from the workspace (abi3 wheel, release profile).
"$venv/bin/python" -m pip install -q --disable-pip-version-check --no-build-isolation \
    --force-reinstall --no-deps ./python
[ -x target/release/simulate ] || cargo build --release

set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider python/tests "$@"
code=$?
set -e
# Exit code 5 means pytest collected no tests: the suite vanished, which is a failure.
if [ "$code" -eq 5 ]; then
    echo "pytest collected no tests in python/tests" >&2
    exit 1
fi
exit "$code"
