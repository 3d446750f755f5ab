#!/usr/bin/python3
"""ONNX checks with the onnx Python package (Debian's python3-onnx), a second implementation of the format.

1. Every model `scripts/check-onnx.mjs export DIR` wrote passes onnx.checker (full_check: with strict shape
   inference), declares opset 13, input `input` [N, n0] and output `output` [N, nL] (the same symbol), and its
   initializers, read back by onnx's own protobuf code, hold exactly the parameters of the network's JSON
   (float64) or their float32 rounding.
2. Writes dense networks as another tool would (onnx.helper: MatMul + Add, Gemm transB 0/1, float_data and raw_data,
   LeakyRelu) and two graphs fastnn must refuse, with what `check-onnx.mjs import DIR` should find.
Usage: /usr/bin/python3 scripts/check-onnx.py DIR
"""
import glob
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, checker, helper, numpy_helper, shape_inference

d = sys.argv[1]
failed = 0


def check(ok, what):
    global failed
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failed += 1


def dims(vi):
    return [x.dim_param or x.dim_value for x in vi.type.tensor_type.shape.dim]


exported = sorted(glob.glob(os.path.join(d, "*.float*.onnx")))
check(len(exported) > 0, f"{len(exported)} exported models found")
for path in exported:
    name = os.path.basename(path)
    m = onnx.load(path)
    try:
        checker.check_model(m, full_check=True)
        check(True, f"{name}: onnx.checker (full_check)")
    except Exception as e:  # noqa: BLE001 - report and go on
        check(False, f"{name}: onnx.checker: {e}")
    net = json.load(open(path.rsplit(".", 2)[0] + ".json"))
    layers = net["layers"]
    f32 = ".float32." in name
    elem = TensorProto.FLOAT if f32 else TensorProto.DOUBLE
    opsets = {o.domain: o.version for o in m.opset_import}
    check(opsets.get("", 0) >= 13, f"{name}: opset {opsets}")
    g = m.graph
    check([i.name for i in g.input] == ["input"] and dims(g.input[0]) == ["N", layers[0]], f"{name}: input {[(i.name, dims(i)) for i in g.input]}")
    check([o.name for o in g.output] == ["output"] and dims(g.output[0]) == ["N", layers[-1]], f"{name}: output {[(o.name, dims(o)) for o in g.output]}")
    check(g.input[0].type.tensor_type.elem_type == elem and g.output[0].type.tensor_type.elem_type == elem, f"{name}: element type {elem}")
    inferred = shape_inference.infer_shapes(m, strict_mode=True)
    check(dims(inferred.graph.output[0]) == ["N", layers[-1]], f"{name}: inferred output shape {dims(inferred.graph.output[0])}")
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for l, p in enumerate(net["parameters"]):
        w = np.array([-0.0 if v == "-0" else v for v in p["weights"]], dtype=np.float64).reshape(layers[l + 1], layers[l])
        b = np.array([-0.0 if v == "-0" else v for v in p["biases"]], dtype=np.float64)
        if f32:
            w, b = w.astype(np.float32), b.astype(np.float32)
        gw, gb = inits[f"layer{l}.weight"], inits[f"layer{l}.bias"]
        same = gw.dtype == w.dtype and gw.shape == w.shape and gw.tobytes() == w.tobytes() and gb.tobytes() == b.tobytes()
        check(same, f"{name}: layer {l} initializers equal the JSON parameters bit for bit ({gw.dtype}, {gw.shape})")

# ---- models written as another tool would write them
rng = np.random.default_rng(5)


def save(fname, graph, expect, opset=13):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="onnx.helper")
    checker.check_model(m, full_check=True)
    onnx.save(m, os.path.join(d, fname))
    json.dump(expect, open(os.path.join(d, fname.replace(".onnx", ".expect.json")), "w"))
    print(f"wrote {fname}")


def f32(name, shape):  # float32 values in float_data (helper.make_tensor's default)
    return helper.make_tensor(name, TensorProto.FLOAT, shape, rng.normal(size=shape).astype(np.float32).flatten().tolist())


def f64raw(name, shape):  # float64 values in raw_data (numpy_helper's default)
    return numpy_helper.from_array(rng.normal(size=shape), name)


save("foreign-matmul-add.onnx", helper.make_graph(
    [helper.make_node("MatMul", ["x", "W1"], ["m1"], name="fc1"), helper.make_node("Add", ["m1", "B1"], ["z1"]),
     helper.make_node("Relu", ["z1"], ["h1"], name="relu1"),
     helper.make_node("MatMul", ["h1", "W2"], ["m2"], name="fc2"), helper.make_node("Add", ["m2", "B2"], ["z2"]),
     helper.make_node("Softmax", ["z2"], ["probs"], axis=1)],
    "matmul_add", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["batch", 3])],
    [f32("W1", [4, 6]), f32("B1", [6]), f32("W2", [6, 3]), f32("B2", [3])]),
    {"layers": [4, 6, 3], "activations": ["relu", "softmax"], "loss": "cross-entropy", "dtype": "float32"})

save("foreign-gemm.onnx", helper.make_graph(
    [helper.make_node("Gemm", ["x", "W1", "B1"], ["z1"], name="dense1", transB=0),
     helper.make_node("Tanh", ["z1"], ["h1"]),
     helper.make_node("Gemm", ["h1", "W2", "B2"], ["z2"], name="dense2", transB=1, alpha=1.0, beta=1.0),
     helper.make_node("Sigmoid", ["z2"], ["y"])],
    "gemm", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["n", 5])],
    [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["n", 2])],
    [f64raw("W1", [5, 7]), f64raw("B1", [7]), f64raw("W2", [2, 7]), f64raw("B2", [1, 2])]),
    {"layers": [5, 7, 2], "activations": ["tanh", "sigmoid"], "loss": "mse", "dtype": "float64"})

save("foreign-leaky.onnx", helper.make_graph(
    [helper.make_node("Gemm", ["x", "W1", "B1"], ["z1"], transB=1),
     helper.make_node("LeakyRelu", ["z1"], ["h1"], alpha=0.2),
     helper.make_node("Gemm", ["h1", "W2", "B2"], ["y"], transB=1)],
    "leaky", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 1])],
    [f32("W1", [8, 3]), f32("B1", [8]), f32("W2", [1, 8]), f32("B2", [1])]),
    {"layers": [3, 8, 1], "activations": ["leaky-relu", "identity"], "loss": "mse", "dtype": "float32"})

save("foreign-conv.onnx", helper.make_graph(
    [helper.make_node("Conv", ["x", "K"], ["y"], name="conv1")],
    "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2, 2])], [f32("K", [1, 1, 3, 3])]),
    {"refused": "Conv node 'conv1'"})

save("foreign-gemm-alpha.onnx", helper.make_graph(
    [helper.make_node("Gemm", ["x", "W1", "B1"], ["y"], name="scaled", transB=1, alpha=2.0)],
    "alpha", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])], [f32("W1", [2, 3]), f32("B1", [2])]),
    {"refused": "Gemm node 'scaled' has alpha 2"})

if failed:
    print(f"{failed} check(s) failed")
    sys.exit(1)
