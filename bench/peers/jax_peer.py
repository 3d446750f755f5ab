#!/usr/bin/env python3
"""JAX (XLA on CPU) on the peer problems the fastnn bench writes (bench/peers/problem.ts: meta.json, little-endian
float64 digits, targets and each problem's initial parameters). Run it pinned to one core
(`taskset -c 0`, XLA_FLAGS=--xla_cpu_multi_thread_eigen=false; bench/peers/index.ts does).

The strongest way to write it in JAX: one jit-compiled epoch, a lax.scan over the batches in order (no shuffle),
so the epoch is a single XLA computation. Same math as fastnn: z = x·wᵀ + b; 'mse' is the mean over batch × outputs;
cross-entropy from log-sum-exp with gradient (softmax - t)/rows; Adam with fastnn's bias-corrected update.
Prints one JSON line per problem: {"peer", "version", "problem", "dtype", "first_epoch_loss", "epoch_s_median",
"samples_per_s"}.   Usage: jax_peer.py DIR float64|float32"""
import json
import os
import statistics
import sys
import time

DIR, DTYPE = sys.argv[1], sys.argv[2]
import jax  # noqa: E402

if DTYPE == "float64":
    jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

meta = json.load(open(os.path.join(DIR, "meta.json")))
dt = jnp.float64 if DTYPE == "float64" else jnp.float32


def load(name, *shape):
    return np.fromfile(os.path.join(DIR, name), dtype="<f8").reshape(shape)


def act(name, z):
    return jax.nn.sigmoid(z) if name == "sigmoid" else jnp.maximum(z, 0) if name == "relu" else z


def make_epoch(p, n):
    layers, batch = p["layers"], p["batch"]
    hidden, output, loss_kind = p["activation"], p["outputActivation"], p["loss"]

    def loss_fn(params, xb, yb):
        a = xb
        for i, (w, b) in enumerate(params):
            z = a @ w.T + b
            a = act(hidden, z) if i < len(params) - 1 else z
        if loss_kind == "mse":
            out = act(output, a)
            return jnp.mean((out - yb) ** 2)
        lse = jax.nn.logsumexp(a, axis=1, keepdims=True)
        return jnp.sum(yb * (lse - a)) / xb.shape[0]

    vg = jax.value_and_grad(loss_fn)
    lr = p["learningRate"]

    if p["optimizer"] == "sgd":
        def step(carry, xy):
            params = carry
            l, g = vg(params, *xy)
            return jax.tree_util.tree_map(lambda q, d: q - lr * d, params, g), l
    else:
        b1, b2, eps = p["beta1"], p["beta2"], p["epsilon"]

        def step(carry, xy):
            params, m, v, b1p, b2p = carry
            l, g = vg(params, *xy)
            b1p, b2p = b1p * b1, b2p * b2
            m = jax.tree_util.tree_map(lambda m_, d: b1 * m_ + (1 - b1) * d, m, g)
            v = jax.tree_util.tree_map(lambda v_, d: b2 * v_ + (1 - b2) * d * d, v, g)
            c1, c2 = 1 - b1p, 1 - b2p
            params = jax.tree_util.tree_map(lambda q, m_, v_: q - lr * (m_ / c1) / (jnp.sqrt(v_ / c2) + eps), params, m, v)
            return (params, m, v, b1p, b2p), l

    @jax.jit
    def epoch(carry, xs, ys):
        xs = xs.reshape(n // batch, batch, layers[0])
        ys = ys.reshape(n // batch, batch, layers[-1])
        carry, losses = jax.lax.scan(step, carry, (xs, ys))
        return carry, jnp.mean(losses)

    return epoch


for p in meta["problems"]:
    n = p["samples"]
    x = jnp.asarray(load("x.f64", meta["samples"], 784)[:n], dtype=dt)
    y = jnp.asarray(load("y.f64", meta["samples"], 10)[:n], dtype=dt)
    ls = p["layers"]
    params = [(jnp.asarray(load(f"{p['id']}-w{l}.f64", o, i), dtype=dt), jnp.asarray(load(f"{p['id']}-b{l}.f64", o), dtype=dt))
              for l, (i, o) in enumerate(zip(ls[:-1], ls[1:]))]
    if p["optimizer"] == "sgd":
        carry = params
    else:
        zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
        carry = (params, zeros, zeros, jnp.asarray(1.0, dt), jnp.asarray(1.0, dt))
    epoch = make_epoch(p, n)
    carry, first = epoch(carry, x, y)  # from the shared initial parameters; also compiles
    first = float(first)
    times = []
    for _ in range(p["repeats"]):
        t0 = time.perf_counter()
        carry, l = epoch(carry, x, y)
        l.block_until_ready()
        times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    print(json.dumps({"peer": "JAX", "version": jax.__version__, "problem": p["id"], "dtype": DTYPE,
                      "first_epoch_loss": first, "epoch_s_median": s, "samples_per_s": n / s}), flush=True)
