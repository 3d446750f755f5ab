#!/usr/bin/env bash
# ONNX checks outside vitest, on the built package (run `npm run build` first): fastnn's exports checked by the onnx
# Python package (onnx.checker, its own protobuf reader) and run by ONNX Runtime (onnxruntime-web in plain Node);
# models written by onnx.helper loaded by fromONNX and compared with ONNX Runtime. Needs Debian's python3-onnx.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
node scripts/check-onnx.mjs export "$dir"
/usr/bin/python3 scripts/check-onnx.py "$dir"
node scripts/check-onnx.mjs import "$dir"
