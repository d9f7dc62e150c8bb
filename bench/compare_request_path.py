"""Side-by-side CPU time of the request path with timeouts and retries (bench/request_path.toml)
in SimPy 4 (bench/request_path_simpy.py), in `meshsim run bench/request_path.toml` and in
`request_path_minimal` (sim-core/examples/request_path_minimal.rs, the smallest loop of the
model under meshsim's rules), whole process each, interleaved so that a busy moment hits all of
them alike.

Usage (from the repository root, after building the release binaries; SimPy in a virtual
environment: `python3 -m venv /tmp/simpyenv && /tmp/simpyenv/bin/pip install simpy==4.1.1`):
    cargo build --release -p experiments --bin meshsim
    cargo build --release -p sim-core --example request_path_minimal
    /tmp/simpyenv/bin/python bench/compare_request_path.py [--seconds S] [--runs R] [--simpy-runs S]
Defaults: 20,000 simulated seconds (about 1.6 M requests, the scenario's duration), 10 runs of
each Rust program, 5 of SimPy. Prints the min and the median CPU time (user + system of the
child, bench/cputime.py) per program, each one's ratio to SimPy's min, meshsim's ratio to
request_path_minimal, and the load average before and after.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cputime  # noqa: E402

SIMPY = "SimPy 4 (bench/request_path_simpy.py)"
MESHSIM = "meshsim run bench/request_path.toml"
MINIMAL = "request_path_minimal"


def programs(seconds):
    return {
        SIMPY: [sys.executable, "bench/request_path_simpy.py", "--duration", str(seconds)],
        MESHSIM: [
            "target/release/meshsim", "run", "bench/request_path.toml", "--duration", f"{seconds}s", "--json",
        ],
        MINIMAL: ["target/release/examples/request_path_minimal", str(seconds)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--simpy-runs", type=int, default=5)
    args = parser.parse_args()
    times = cputime.compare(
        programs(args.seconds), SIMPY,
        f"request path, {args.seconds} simulated seconds; CPU time (user + system) of each whole process",
        args.runs, args.simpy_runs,
    )
    print(f"meshsim / request_path_minimal (min): {min(times[MESHSIM]) / min(times[MINIMAL]):.1f}x")


if __name__ == "__main__":
    main()
