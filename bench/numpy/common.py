"""Shared by fastnn's numpy baselines: timing and the one-JSON-line-per-result output that bench/numpy.ts reads.

Run each script with OPENBLAS_NUM_THREADS set (bench/numpy.ts sets 1 or 2); every figure is a median."""
import json
import statistics
import time


def median_seconds(fn, samples, repeat=1, warmup=2):
    """Median over `samples` timings of `repeat` back-to-back calls of fn, per call, after `warmup` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append((time.perf_counter() - start) / repeat)
    return statistics.median(times)


def emit(**fields):
    print(json.dumps(fields), flush=True)
