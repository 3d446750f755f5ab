#!/usr/bin/env bash
# ONNX checks outside vitest, on the package as users install it (run `npm run build` first): `npm pack`, installed
# into a fresh project; fastnn's exports checked by the onnx Python package (onnx.checker, its own protobuf reader)
# and run by ONNX Runtime (onnxruntime-web in plain Node); models written by onnx.helper loaded by fromONNX and
# compared with ONNX Runtime. Needs Debian's python3-onnx.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tgz=$(npm pack --silent --pack-destination "$dir" | tail -1)
mkdir "$dir/app"
(cd "$dir/app" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "$dir/$tgz")
echo "export * from 'fastnn';" > "$dir/app/fastnn.mjs"
mkdir "$dir/models"
FASTNN_ENTRY="$dir/app/fastnn.mjs" node scripts/check-onnx.mjs export "$dir/models"
/usr/bin/python3 scripts/check-onnx.py "$dir/models"
FASTNN_ENTRY="$dir/app/fastnn.mjs" node scripts/check-onnx.mjs import "$dir/models"
