#!/usr/bin/env python3
"""The tutorial's own training loop ("An Introduction to Neural Networks": a 2-2-1 sigmoid network, per-sample SGD,
MSE, learning rate 0.1, 1000 epochs over its 4 people), neuron by neuron with numpy scalars as the tutorial does.
Prints {"network", "epochs", "ms_median"}: median of 5 full runs, each from the same initial parameters."""
import numpy as np

from common import emit, median_seconds

DATA = np.array([[-2.0, -1.0], [25.0, 6.0], [17.0, 4.0], [-15.0, -6.0]])
TARGETS = np.array([1.0, 0.0, 0.0, 1.0])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def deriv_sigmoid(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def train(initial, learn_rate=0.1, epochs=1000):
    w1, w2, w3, w4, w5, w6, b1, b2, b3 = initial
    for _ in range(epochs):
        for x, y_true in zip(DATA, TARGETS):
            sum_h1 = w1 * x[0] + w2 * x[1] + b1
            h1 = sigmoid(sum_h1)
            sum_h2 = w3 * x[0] + w4 * x[1] + b2
            h2 = sigmoid(sum_h2)
            sum_o1 = w5 * h1 + w6 * h2 + b3
            y_pred = sigmoid(sum_o1)

            d_l_d_ypred = -2.0 * (y_true - y_pred)
            d_ypred_d_o1 = deriv_sigmoid(sum_o1)
            d_ypred_d_h1 = w5 * d_ypred_d_o1
            d_ypred_d_h2 = w6 * d_ypred_d_o1
            d_h1 = deriv_sigmoid(sum_h1)
            d_h2 = deriv_sigmoid(sum_h2)

            w1 -= learn_rate * d_l_d_ypred * d_ypred_d_h1 * x[0] * d_h1
            w2 -= learn_rate * d_l_d_ypred * d_ypred_d_h1 * x[1] * d_h1
            b1 -= learn_rate * d_l_d_ypred * d_ypred_d_h1 * d_h1
            w3 -= learn_rate * d_l_d_ypred * d_ypred_d_h2 * x[0] * d_h2
            w4 -= learn_rate * d_l_d_ypred * d_ypred_d_h2 * x[1] * d_h2
            b2 -= learn_rate * d_l_d_ypred * d_ypred_d_h2 * d_h2
            w5 -= learn_rate * d_l_d_ypred * h1 * d_ypred_d_o1
            w6 -= learn_rate * d_l_d_ypred * h2 * d_ypred_d_o1
            b3 -= learn_rate * d_l_d_ypred * d_ypred_d_o1
    return w1, w2, w3, w4, w5, w6, b1, b2, b3


initial = list(np.random.default_rng(3).normal(size=9))
seconds = median_seconds(lambda: train(initial), samples=5, warmup=1)
emit(network="2-2-1 tutorial", epochs=1000, ms_median=round(seconds * 1e3, 3))
