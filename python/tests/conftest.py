import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _repository_root(monkeypatch):
    """Run every test from the repository root, where `simulate` finds scenarios/."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def simulate():
    """The command line built by cargo, to compare against."""
    exe = os.environ.get("SIMULATE", str(ROOT / "target" / "release" / "simulate"))
    if not os.path.exists(exe):
        pytest.fail(f"{exe} not found: build it with cargo build --release (or set SIMULATE)")
    return exe
