"""The M/M/c station of meshsim's `mmc` builtin in SimPy 4: meshsim's speed baseline (README.md, Performance).

Poisson arrivals at rate LAMBDA into one FIFO queue served by C servers with exponential
service of mean 1/MU; prints the mean wait in queue and Erlang C's prediction.

Usage: python3 bench/mmc_simpy.py [CUSTOMERS] [--count-events]   (default 1,000,000)
--count-events also prints how many events SimPy processed (it wraps Environment.step, which
slows the run: do not time it).
Compare with meshsim side by side: python3 bench/compare_simpy.py (see the README, "Performance").
"""
import math
import random
import sys

import simpy

LAMBDA, MU, C = 9.0, 1.0, 10


def erlang_c_wq(lam, mu, c):
    a = lam / mu
    rho = a / c
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    p_wait = b / (1 - rho * (1 - b))
    return p_wait / (c * mu - lam)


def main():
    args = [a for a in sys.argv[1:] if a != "--count-events"]
    customers = int(args[0]) if args else 1_000_000
    rng = random.Random(1)
    env = simpy.Environment()
    steps = [0]
    if "--count-events" in sys.argv[1:]:
        step = env.step

        def counted_step():
            steps[0] += 1
            step()

        env.step = counted_step
    servers = simpy.Resource(env, capacity=C)
    waits = [0.0, 0]

    def customer(env):
        arrived = env.now
        with servers.request() as req:
            yield req
            waits[0] += env.now - arrived
            waits[1] += 1
            yield env.timeout(rng.expovariate(MU))

    def source(env):
        for _ in range(customers):
            yield env.timeout(rng.expovariate(LAMBDA))
            env.process(customer(env))

    env.process(source(env))
    env.run()
    print(f"customers {waits[1]} mean Wq {waits[0] / waits[1]:.4f} s (Erlang C {erlang_c_wq(LAMBDA, MU, C):.4f} s)")
    if steps[0]:
        print(f"events {steps[0]} ({steps[0] / customers:.2f} per customer)")


if __name__ == "__main__":
    main()
