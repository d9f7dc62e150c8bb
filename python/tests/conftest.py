"""Shared fixtures: the `meshsim` binary the Python results are compared with.

The binary is $MESHSIM_BIN, else the workspace's target/debug/meshsim or target/release/meshsim
(whichever is newer); .ci/run builds it with the Rust tests. Without one the comparisons fail
(they never skip): build it with `cargo build -p experiments --bin meshsim`.
"""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _binary() -> pathlib.Path:
    given = os.environ.get("MESHSIM_BIN")
    if given:
        return pathlib.Path(given)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    found = [p for p in (target / "debug" / "meshsim", target / "release" / "meshsim") if p.is_file()]
    if not found:
        pytest.fail("no meshsim binary: build it with `cargo build -p experiments --bin meshsim` or set MESHSIM_BIN")
    return max(found, key=lambda p: p.stat().st_mtime)


@pytest.fixture(scope="session")
def cli():
    """Runs the meshsim binary with the given arguments; returns the CompletedProcess."""
    binary = _binary()

    def run(*args, check=True):
        done = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"meshsim {' '.join(map(str, args))} exited {done.returncode}: {done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def repo() -> pathlib.Path:
    """The repository's root."""
    return REPO
