#!/usr/bin/env python3
"""One training epoch of fastnn's benchmark network in numpy float64: 784-128-10, sigmoid everywhere, MSE (the mean
over batch x outputs, as fastnn's 'mse'), plain SGD on mini-batches of 32, learning rate 0.5, 8,000 samples in
order. Weights are out x in, like fastnn's. The data are random: the timing is what is measured. Prints
{"network", "batch", "epoch_s_median", "samples_per_s"}: the median of 5 epochs after one warm-up epoch."""
import numpy as np

from common import emit, median_seconds

SAMPLES, BATCH, LR = 8000, 32, 0.5
rng = np.random.default_rng(2)
x = rng.uniform(0.0, 1.0, (SAMPLES, 784))
y = np.zeros((SAMPLES, 10))
y[np.arange(SAMPLES), rng.integers(0, 10, SAMPLES)] = 1.0
params = [
    [rng.normal(0.0, np.sqrt(2.0 / (784 + 128)), (128, 784)), np.zeros(128)],
    [rng.normal(0.0, np.sqrt(2.0 / (128 + 10)), (10, 128)), np.zeros(10)],
]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def epoch():
    (w1, b1), (w2, b2) = params
    for start in range(0, SAMPLES, BATCH):
        xb, yb = x[start:start + BATCH], y[start:start + BATCH]
        a1 = sigmoid(xb @ w1.T + b1)
        a2 = sigmoid(a1 @ w2.T + b2)
        dz2 = (2.0 / a2.size) * (a2 - yb) * a2 * (1.0 - a2)
        dz1 = (dz2 @ w2) * a1 * (1.0 - a1)
        w2 -= LR * (dz2.T @ a1)
        b2 -= LR * dz2.sum(axis=0)
        w1 -= LR * (dz1.T @ xb)
        b1 -= LR * dz1.sum(axis=0)


seconds = median_seconds(epoch, samples=5, warmup=1)
emit(network="784-128-10", batch=BATCH, epoch_s_median=round(seconds, 4), samples_per_s=round(SAMPLES / seconds))
