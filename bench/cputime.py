"""Timing of whole programs in CPU time, shared by bench/compare_simpy.py and
bench/compare_request_path.py.

Each run's time is the growth of this process's children CPU time (user + system,
`resource.getrusage(RUSAGE_CHILDREN)`) across one `subprocess.run`: the CPU the program itself
used, which other work on a busy machine does not inflate the way it inflates wall time. The
programs are interleaved (one run of each per round) so that a busy stretch hits all of them
alike, and each is reported as the min and the median over its runs, with the load average
before and after. None of it feeds a simulation.
"""
import os
import resource
import statistics
import subprocess


def cpu_time(command):
    """CPU seconds (user + system) that `command` used, from the children's rusage delta."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def missing_binaries(commands):
    paths = dict.fromkeys(c[0] for c in commands.values())  # each binary once, in order
    return [p for p in paths if p.startswith("target/") and not os.path.exists(p)]


def measure(commands, runs, reference_runs, reference):
    """Name -> list of CPU times; `reference` (the slow program) runs `reference_runs` times,
    the others `runs` times, interleaved round by round."""
    times = {name: [] for name in commands}
    for round_no in range(max(runs, reference_runs)):
        for name, command in commands.items():
            limit = reference_runs if name == reference else runs
            if round_no < limit:
                times[name].append(cpu_time(command))
    return times


def load_average():
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def report(title, times, reference, load_before, load_after):
    """Prints min and median CPU time per program and its ratio to the reference's min."""
    print(title)
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}")
    print(f"{'program':36} {'runs':>4} {'min s':>8} {'median s':>9} {'ratio':>7}")
    reference_min = min(times[reference])
    for name, ts in times.items():
        best = min(ts)
        print(f"{name:36} {len(ts):4} {best:8.3f} {statistics.median(ts):9.3f} {reference_min / best:6.1f}x")


def compare(commands, reference, title, runs, reference_runs):
    """The whole comparison: refuses to start without the built binaries, measures `commands`
    interleaved (`reference` `reference_runs` times, the others `runs` times), prints the report
    with the load average before and after, and returns name -> CPU times."""
    missing = missing_binaries(commands)
    if missing:
        raise SystemExit(f"missing {', '.join(missing)}: build them first (see the usage in the script)")
    load_before = load_average()
    times = measure(commands, runs, reference_runs, reference)
    report(title, times, reference, load_before, load_average())
    return times
