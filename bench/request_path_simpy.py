"""The request path of bench/request_path.toml written idiomatically in SimPy 4: a fair peer for
meshsim on a model with timeouts and retries (bench/mmc_simpy.py is SimPy's best case).

Open Poisson clients (80/s) send requests to a front service: 20 slots (a `simpy.Resource`,
whose queue is FIFO), 5 ms of work, then one call to a back service: 12 slots, exponential work
with mean 100 ms. Each attempt of the call waits for the back's answer or a 300 ms timeout,
whichever comes first (`done | env.timeout(T)`); the back keeps working on an abandoned attempt
(its process runs on). A timed-out attempt is retried after a full-jitter sleep, U(0, min(cap,
base * 2^n)) with base 25 ms, cap 250 ms and n the retries so far, up to 3 attempts in all; after
the third timeout the request fails. The front holds its slot for the whole request.

Reports requests (arrived before the end), ok (answered before the end), attempts per request
and mean latency (arrival to answer, answered requests), each with a 95% confidence interval
from batch means over 20 equal stretches of simulated time, as JSON on stdout.

Usage (SimPy is not part of the workspace; install it in a virtual environment):
    python3 -m venv /tmp/simpyenv && /tmp/simpyenv/bin/pip install simpy==4.1.1
    /tmp/simpyenv/bin/python bench/request_path_simpy.py [--duration SECONDS] [--seed N]
The committed bench/request_path_simpy.json is the output of the default run (20 000 s, about
1.6 M requests); tests/tests/workspace/request_path_vs_simpy.rs checks meshsim's figures against it.
"""
import argparse
import json
import math
import random
import statistics
import sys

import simpy

ARRIVAL_RATE = 80.0
FRONT_SLOTS = 20
FRONT_WORK_S = 0.005
BACK_SLOTS = 12
BACK_MEAN_S = 0.100
ATTEMPT_TIMEOUT_S = 0.300
MAX_ATTEMPTS = 3
BACKOFF_BASE_S = 0.025
BACKOFF_CAP_S = 0.250
BATCHES = 20
# Student's t, 0.975 quantile, 19 degrees of freedom (20 batches).
T_19 = 2.093


class Figures:
    """Per-batch sums: a request belongs to the batch in which it arrived."""

    def __init__(self, duration):
        self.batch_s = duration / BATCHES
        self.requests = [0] * BATCHES
        self.ok = [0] * BATCHES
        self.attempts = [0] * BATCHES
        self.latency_sum = [0.0] * BATCHES

    def batch(self, arrived):
        return min(int(arrived / self.batch_s), BATCHES - 1)


def back_work(env, back, rng):
    """The back's handling of one attempt: runs to the end even if the caller gave up."""
    with back.request() as slot:
        yield slot
        yield env.timeout(rng.expovariate(1.0 / BACK_MEAN_S))


def call_back(env, back, rng, figures, batch):
    """One call with its attempts; returns whether an attempt was answered in time."""
    for attempt in range(MAX_ATTEMPTS):
        figures.attempts[batch] += 1
        done = env.process(back_work(env, back, rng))
        timeout = env.timeout(ATTEMPT_TIMEOUT_S)
        result = yield done | timeout
        if done in result:
            return True
        if attempt + 1 < MAX_ATTEMPTS:
            ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt)
            yield env.timeout(rng.uniform(0.0, ceiling))
    return False


def request(env, front, back, rng, figures):
    arrived = env.now
    batch = figures.batch(arrived)
    figures.requests[batch] += 1
    with front.request() as slot:
        yield slot
        yield env.timeout(FRONT_WORK_S)
        ok = yield env.process(call_back(env, back, rng, figures, batch))
    if ok:
        figures.ok[batch] += 1
        figures.latency_sum[batch] += env.now - arrived


def clients(env, front, back, rng, figures):
    while True:
        yield env.timeout(rng.expovariate(ARRIVAL_RATE))
        env.process(request(env, front, back, rng, figures))


def interval(values):
    """Mean and 95% half-width of per-batch values."""
    mean = statistics.fmean(values)
    return mean, T_19 * statistics.stdev(values) / math.sqrt(len(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20_000.0, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    env = simpy.Environment()
    front = simpy.Resource(env, capacity=FRONT_SLOTS)
    back = simpy.Resource(env, capacity=BACK_SLOTS)
    figures = Figures(args.duration)
    env.process(clients(env, front, back, rng, figures))
    env.run(until=args.duration)
    requests, ok, attempts = sum(figures.requests), sum(figures.ok), sum(figures.attempts)
    per_batch_requests = [r * BATCHES / args.duration for r in figures.requests]
    per_batch_ok = [o / r for o, r in zip(figures.ok, figures.requests)]
    per_batch_attempts = [a / r for a, r in zip(figures.attempts, figures.requests)]
    per_batch_latency = [s / o for s, o in zip(figures.latency_sum, figures.ok)]
    out = {
        "program": "bench/request_path_simpy.py",
        "simpy": simpy.__version__,
        "python": sys.version.split()[0],
        "duration_s": args.duration,
        "seed": args.seed,
        "requests": requests,
        "ok": ok,
        "attempts": attempts,
        "batches": BATCHES,
    }
    for name, values in [
        ("request_rate_per_s", per_batch_requests),
        ("ok_fraction", per_batch_ok),
        ("attempts_per_request", per_batch_attempts),
        ("mean_latency_s", per_batch_latency),
    ]:
        mean, half = interval(values)
        out[name] = {"mean": mean, "ci95_half_width": half}
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
