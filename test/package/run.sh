#!/usr/bin/env bash
# The packed-package test: what a user installs, tried as a user would, with the `node` first on PATH.
#   npm pack -> install the tarball into a fresh consumer project outside the repository (mktemp -d) -> there:
#   (a) the README's usage example, verbatim, on every backend; (b) plain `node script.mjs` with top-level await and
#   threads: 2 (trainAsync and train) must print and exit 0 on its own; (c) CommonJS require('fastnn'); (d) a strict
#   TypeScript consumer (node16 and bundler resolution, no skipLibCheck) with the oldest TypeScript the README claims
#   and with the newest 5.x; (e) the tarball's files against what the built code opens (check-package.mjs).
# Exits non-zero with a "package test FAILED: ..." line on the first failure.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
TS_OLDEST=5.0.4        # the oldest TypeScript the README claims (TypeScript >= 5.0)
TS_NEWEST=5.9.3        # the newest 5.x
TYPES_NODE=20.19.43    # @types/node for the consumer that uses Node's types
TIMEOUT=180            # seconds any one consumer script may take

fail() { echo "package test FAILED: $*" >&2; exit 1; }
step() { echo "== package test (node $(node --version)): $*"; }
# run <expected-output-regex> <command...>: runs in the consumer with a timeout, shows its output, checks exit 0 and output.
run() {
  local want="$1"; shift
  local out rc=0
  out="$(timeout "$TIMEOUT" "$@" 2>&1)" || rc=$?
  LAST_OUTPUT="$out"
  printf '%s\n' "$out" | sed 's/^/    /'
  [ "$rc" -eq 0 ] || fail "\`$*\` exited with code $rc$([ "$rc" -eq 124 ] && echo " (timed out after ${TIMEOUT} s: the process did not exit)")"
  printf '%s\n' "$out" | grep -Eq "$want" || fail "\`$*\` did not print /$want/"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case "$work" in "$REPO"/*) fail "the temp dir $work is inside the repository";; esac

step "build, pack and install the tarball into a fresh project ($work/consumer)"
bash "$HERE/pack.sh" "$work"
cd "$work/consumer"
cp "$HERE"/readme-example.mjs "$HERE"/threads.mjs "$HERE"/require.cjs "$HERE"/check-package.mjs "$HERE"/consumer/* .
pkg="$work/consumer/node_modules/fastnn"

step "(e) the tarball's files against what the code opens; backends and their builds"
run 'check-package ok' node check-package.mjs "$work/pack.json" "$pkg" "$REPO"
if [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 22 ]; then
  # Node >= 22 has relaxed SIMD on by default: the assemblyscript backend must pick its relaxed-simd build unasked.
  printf '%s\n' "$LAST_OUTPUT" | grep -Eq "assemblyscript default build on Node [0-9.]+: relaxed-simd" ||
    fail "on Node >= 22 the assemblyscript backend did not load its relaxed-simd build by default"
fi

step "(a) the README's usage example, verbatim, on every backend"
for backend in js assemblyscript rust; do
  node readme-example.mjs "$pkg/README.md" "$backend" >"readme-$backend.mjs" || fail "extracting the README example"
  out="$(timeout "$TIMEOUT" node "readme-$backend.mjs" 2>&1)" || fail "the README example on $backend: $out"
  printf '%s\n' "$out" | sed "s/^/    $backend: /"
  node -e '
    const out = process.argv[1];
    const loss = /loss ([-0-9.e]+) -> ([-0-9.e]+)/.exec(out), p = /Emily ([0-9.]+), Frank ([0-9.]+)/.exec(out);
    if (!loss || !p) { console.error("unexpected output"); process.exit(1); }
    if (!(Number(loss[2]) < Number(loss[1]) / 10)) { console.error("the loss did not fall tenfold"); process.exit(1); }
    if (!(Number(p[1]) > 0.9 && Number(p[2]) < 0.1)) { console.error("Emily/Frank are not classified as the tutorial says"); process.exit(1); }
  ' "$out" || fail "the README example on $backend printed the wrong results"
done

step "(b) node script.mjs with top-level await, threads: 2, trainAsync and train"
for backend in assemblyscript rust; do
  for mode in async sync; do
    run "threads ok: $backend/[a-z-]+ $mode threads=2 epochs=60" node threads.mjs "$backend" "$mode"
  done
done

step "(c) CommonJS require('fastnn')"
run 'require ok: rust/simd' node require.cjs

step "(d) strict TypeScript consumers: typescript $TS_OLDEST and $TS_NEWEST, moduleResolution node16 and bundler"
for ts in "$TS_OLDEST" "$TS_NEWEST"; do
  mkdir -p "$work/ts-$ts"
  npm install --no-audit --no-fund --prefix "$work/ts-$ts" "typescript@$ts" >"$work/ts-$ts.log" 2>&1 || { cat "$work/ts-$ts.log"; fail "installing typescript@$ts"; }
done
npm install --no-audit --no-fund --save-exact "@types/node@$TYPES_NODE" >"$work/types.log" 2>&1 || { cat "$work/types.log"; fail "installing @types/node@$TYPES_NODE"; }
for ts in "$TS_OLDEST" "$TS_NEWEST"; do
  tsc="$work/ts-$ts/node_modules/.bin/tsc"
  [ "$("$tsc" --version)" = "Version $ts" ] || fail "typescript $ts did not install"
  for config in node16 bundler node-types; do
    rm -rf out
    "$tsc" -p "tsconfig.$config.json" >"$work/tsc.log" 2>&1 || { sed 's/^/    /' "$work/tsc.log"; fail "typescript $ts, tsconfig.$config.json: the consumer does not compile"; }
    echo "    typescript $ts, $config: compiles (strict, no skipLibCheck)"
  done
  rm -rf out
  "$tsc" -p tsconfig.node16.json
  run 'typescript consumer ok: assemblyscript,rust,js' node out/consumer.js
done

step "all package checks passed"
