#!/usr/bin/env python3
"""fastnn's denseForward in numpy: z = x @ w.T + b in float64 (x: batch x nIn, w: nOut x nIn, b: nOut), for the
benchmark grid's shapes (bench/shapes.ts). Prints per shape {"shape": [batch, nIn, nOut], "gflops_median": ...},
counting 2 * batch * nIn * nOut flops per call, median of 7 samples of about 0.05 s each."""
import numpy as np

from common import emit, median_seconds

BATCHES = (1, 32, 256)
LAYERS = ((16, 16), (128, 64), (784, 128))

rng = np.random.default_rng(1)
for n_in, n_out in LAYERS:
    for batch in BATCHES:
        x = rng.uniform(-1.0, 1.0, (batch, n_in))
        w = rng.uniform(-1.0, 1.0, (n_out, n_in))
        b = rng.uniform(-1.0, 1.0, n_out)
        z = np.empty((batch, n_out))
        wt = w.T  # a view, as fastnn keeps w row-major (out x in)

        def forward():
            np.matmul(x, wt, out=z)
            np.add(z, b, out=z)

        flops = 2.0 * batch * n_in * n_out
        repeat = max(1, int(1e8 / flops))
        seconds = median_seconds(forward, samples=7, repeat=repeat)
        emit(shape=[batch, n_in, n_out], gflops_median=round(flops / seconds / 1e9, 2))
