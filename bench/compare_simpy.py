"""Side-by-side timing of the M/M/10 model (lambda = 9, mu = 1) in SimPy 4, in `meshsim run mmc`
and in `mmc_minimal` (sim-core/examples/mmc_minimal.rs, the smallest loop of the model under
meshsim's rules), whole process each, interleaved so that a busy moment hits all of them alike.

Usage (from the repository root, after building the release binaries):
    cargo build --release -p experiments --bin meshsim
    cargo build --release -p sim-core --example mmc_minimal
    python3 bench/compare_simpy.py [--customers N] [--runs R] [--simpy-runs S]
Defaults: 1,000,000 customers, 10 runs of each Rust program, 3 of SimPy. Prints best and median
wall time per program and each one's speed-up over SimPy's best. Wall-clock time is what is
being measured here; none of it feeds a simulation.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

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


def wall_time(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--simpy-runs", type=int, default=3)
    args = parser.parse_args()
    commands = programs(args.customers)
    missing = [c[0] for c in commands.values() if c[0].startswith("target/") and not os.path.exists(c[0])]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: build them first (see the usage in this file)")
    times = {name: [] for name in commands}
    for round_no in range(args.runs):
        for name, command in commands.items():
            if name.startswith("SimPy") and round_no >= args.simpy_runs:
                continue
            times[name].append(wall_time(command))
    simpy_best = min(next(iter(times.values())))
    print(f"{args.customers} customers; best and median of the runs, whole process")
    print(f"{'program':32} {'runs':>4} {'best s':>8} {'median s':>9} {'vs SimPy':>9}")
    for name, ts in times.items():
        best = min(ts)
        print(f"{name:32} {len(ts):4} {best:8.3f} {statistics.median(ts):9.3f} {simpy_best / best:8.0f}x")


if __name__ == "__main__":
    main()
