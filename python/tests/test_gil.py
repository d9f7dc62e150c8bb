"""The simulation runs with the GIL released: two threads' runs overlap in time.

Each run's start and end are taken inside the extension, after the GIL is released
(`Result.timing`). If the GIL were held during a run, the second thread could not enter its
run before the first returned, so the second start would come after the first end."""

import threading

import meshsim


def test_two_threads_runs_overlap_in_time():
    barrier = threading.Barrier(2)
    results = [None, None]

    def work(i):
        barrier.wait()
        results[i] = meshsim.run("thundering-herd", seed=i + 1)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (s0, e0), (s1, e1) = (r.timing for r in results)
    assert s0 < e0 and s1 < e1
    # Both were running at once: each started before the other ended.
    assert max(s0, s1) < min(e0, e1), f"runs did not overlap: {results[0].timing} {results[1].timing}"
    # And threads do not change results.
    assert results[0].summary_json == meshsim.run("thundering-herd", seed=1).summary_json
