#!/usr/bin/env python3
"""One training epoch of the 784-128-10 network on REAL MNIST digits in numpy float64, on exactly the problem the
fastnn bench trains: the digits, targets and initial parameters are read from the directory the bench writes
(bench/train.bench.ts: meta.json plus little-endian float64 files), mini-batches in order, no shuffle.

Configs (meta.json "configs"):
  sgd   sigmoid hidden and output, MSE (mean over batch x outputs, as fastnn's 'mse'), plain SGD
  adam  relu hidden, softmax output with cross-entropy (log-sum-exp; gradient (a - t)/rows), Adam with fastnn's
        update: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
Each config starts from the given initial parameters: the first epoch's loss (the mean of its batch losses, as
fastnn's epoch loss) is printed for the bench to compare with fastnn's, then training continues and the median of
5 further epochs is timed. Prints one JSON line per config: {"config", "first_epoch_loss", "epoch_s_median",
"samples_per_s"}.  Usage: mlp_real.py DIR"""
import json
import os
import sys

import numpy as np

from common import emit, median_seconds

DIR = sys.argv[1]
meta = json.load(open(os.path.join(DIR, "meta.json")))
N, BATCH = meta["samples"], meta["batch"]


def f64(name, *shape):
    return np.fromfile(os.path.join(DIR, name), dtype="<f8").reshape(shape)


x = f64("x.f64", N, 784)
y = f64("y.f64", N, 10)


def sigmoid(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def sgd_epoch(params, lr):
    (w1, b1), (w2, b2) = params
    total = 0.0
    nb = 0
    for start in range(0, N, BATCH):
        xb, yb = x[start:start + BATCH], y[start:start + BATCH]
        a1 = sigmoid(xb @ w1.T + b1)
        a2 = sigmoid(a1 @ w2.T + b2)
        diff = a2 - yb
        total += float(np.mean(diff * diff))
        nb += 1
        dz2 = (2.0 / a2.size) * diff * (a2 * (1.0 - a2))
        dz1 = (dz2 @ w2) * (a1 * (1.0 - a1))
        w2 -= lr * (dz2.T @ a1)
        b2 -= lr * dz2.sum(axis=0)
        w1 -= lr * (dz1.T @ xb)
        b1 -= lr * dz1.sum(axis=0)
    return total / nb


def adam_epoch(params, state, lr, beta1, beta2, eps):
    (w1, b1), (w2, b2) = params
    total = 0.0
    nb = 0
    for start in range(0, N, BATCH):
        xb, yb = x[start:start + BATCH], y[start:start + BATCH]
        rows = xb.shape[0]
        z1 = xb @ w1.T + b1
        a1 = np.maximum(z1, 0.0)
        z2 = a1 @ w2.T + b2
        zmax = z2.max(axis=1, keepdims=True)
        e = np.exp(z2 - zmax)
        s = e.sum(axis=1, keepdims=True)
        a2 = e / s
        lse = zmax + np.log(s)
        total += float(np.sum(yb * (lse - z2)) / rows)
        nb += 1
        dz2 = (a2 - yb) / rows
        dz1 = (dz2 @ w2) * (z1 > 0.0)
        grads = [dz1.T @ xb, dz1.sum(axis=0), dz2.T @ a1, dz2.sum(axis=0)]
        state["t"] += 1
        state["b1p"] *= beta1
        state["b2p"] *= beta2
        c1, c2 = 1.0 - state["b1p"], 1.0 - state["b2p"]
        for p, g, m, v in zip([w1, b1, w2, b2], grads, state["m"], state["v"]):
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * (g * g)
            p -= lr * (m / c1) / (np.sqrt(v / c2) + eps)
    return total / nb


for cfg in meta["configs"]:
    cid = cfg["id"]
    params = [[f64(f"{cid}-w{l}.f64", o, i).copy(), f64(f"{cid}-b{l}.f64", o).copy()]
              for l, (i, o) in enumerate(zip(meta["layers"][:-1], meta["layers"][1:]))]
    if cid == "sgd":
        def epoch():
            return sgd_epoch(params, cfg["learningRate"])
    else:
        state = {"t": 0, "b1p": 1.0, "b2p": 1.0,
                 "m": [np.zeros_like(p) for pair in params for p in pair],
                 "v": [np.zeros_like(p) for pair in params for p in pair]}

        def epoch():
            return adam_epoch(params, state, cfg["learningRate"], cfg["beta1"], cfg["beta2"], cfg["epsilon"])
    first = epoch()  # from the shared initial parameters; also the warm-up
    seconds = median_seconds(epoch, samples=5, warmup=0)
    emit(config=cid, first_epoch_loss=first, epoch_s_median=round(seconds, 4), samples_per_s=round(N / seconds))
