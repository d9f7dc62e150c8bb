"""Side-by-side CPU time of the M/M/10 model (lambda = 9, mu = 1) in SimPy 4, in `meshsim run mmc`
and in `mmc_minimal` (sim-core/examples/mmc_minimal.rs, the smallest loop of the model under
meshsim's rules), whole process each, interleaved so that a busy moment hits all of them alike.

Usage (from the repository root, after building the release binaries; SimPy in a virtual
environment: `python3 -m venv /tmp/simpyenv && /tmp/simpyenv/bin/pip install simpy==4.1.1`):
    cargo build --release -p experiments --bin meshsim
    cargo build --release -p sim-core --example mmc_minimal
    /tmp/simpyenv/bin/python bench/compare_simpy.py [--customers N] [--runs R] [--simpy-runs S]
Defaults: 1,000,000 customers, 10 runs of each Rust program, 5 of SimPy. Prints the min and the
median CPU time (user + system of the child, bench/cputime.py) per program, each one's ratio to
SimPy's min, and the load average before and after.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cputime  # noqa: E402

ARRIVAL_RATE = 9.0


def programs(customers):
    """Name -> command. meshsim's `mmc` builtin is an open-loop client, so it runs for the
    simulated duration in which `customers` arrive on average."""
    duration_s = round(customers / ARRIVAL_RATE)
    return {
        "SimPy 4 (bench/mmc_simpy.py)": [sys.executable, "bench/mmc_simpy.py", str(customers)],
        "meshsim run mmc --json": [
            "target/release/meshsim", "run", "mmc", "--duration", f"{duration_s}s", "--json",
        ],
        "mmc_minimal binary-heap": ["target/release/examples/mmc_minimal", "binary-heap", str(customers)],
        "mmc_minimal event-queue": ["target/release/examples/mmc_minimal", "event-queue", str(customers)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--simpy-runs", type=int, default=5)
    args = parser.parse_args()
    commands = programs(args.customers)
    cputime.compare(
        commands, next(iter(commands)),
        f"{args.customers} customers; CPU time (user + system) of each whole process",
        args.runs, args.simpy_runs,
    )


if __name__ == "__main__":
    main()
