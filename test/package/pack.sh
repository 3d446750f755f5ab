#!/usr/bin/env bash
# Builds the package, packs it and installs the tarball into a fresh project, as a user would:
#   bash test/package/pack.sh <dir> [--no-build]
# <dir> must exist and lie outside the repository. Afterwards it holds pack.json (`npm pack --json`), the tarball
# and consumer/ (a package.json with "type": "module", and node_modules/fastnn installed from the tarball).
# --no-build packs the dist/ that is there (for a caller that has just built it). Used by run.sh (the packed-package
# test) and scripts/run-doc-blocks.mjs (the documentation's code blocks).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
work="${1:?usage: pack.sh <dir> [--no-build]}"
build=1
[ "${2:-}" = "--no-build" ] && build=0

fail() { echo "package test FAILED: $*" >&2; exit 1; }
[ -d "$work" ] || fail "$work is not a directory"
work="$(cd "$work" && pwd)"
case "$work" in "$REPO"/*) fail "the temp dir $work is inside the repository";; esac

cd "$REPO"
if [ "$build" = 1 ]; then
  # `npm pack` runs prepack (npm run build) itself; here the build runs first so its output stays out of pack's JSON.
  npm run build >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "npm run build"; }
else
  [ -f dist/index.js ] || fail "--no-build, but there is no dist/index.js: run npm run build first"
fi
npm pack --ignore-scripts --json --pack-destination "$work" >"$work/pack.json" 2>"$work/pack.err" || { cat "$work/pack.err"; fail "npm pack"; }
tarball="$work/$(node -p "require('$work/pack.json')[0].filename")"
[ -f "$tarball" ] || fail "npm pack wrote no tarball"
node -e "const p = require('$work/pack.json')[0]; console.log('    ' + p.filename + ': ' + p.files.length + ' files, ' + p.size + ' bytes, unpacked ' + p.unpackedSize + ' bytes'); for (const f of p.files) console.log('      ' + f.path + ' (' + f.size + ')');"

mkdir -p "$work/consumer"
cd "$work/consumer"
printf '{ "name": "fastnn-consumer", "private": true, "type": "module" }\n' >package.json
npm install --no-audit --no-fund "$tarball" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "npm install $tarball"; }
