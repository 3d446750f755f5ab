#!/usr/bin/env bash
# Builds the Rust kernels (rust/) twice and copies the modules next to the crate:
#   rust/fastnn-simd.wasm    +simd128 (f64x2 micro-kernels)
#   rust/fastnn-scalar.wasm  no simd128 (scalar code paths)
# Both import a shared env.memory (max 2 GiB) and export the ABI of src/abi.ts.
#
#   bash scripts/build-rust.sh           build and copy
#   bash scripts/build-rust.sh --check   rebuild into a temp dir; fail if either module differs
#                                        byte-for-byte from the committed one
#
# Uses Debian's toolchain (/usr/bin/cargo + /usr/bin/rustc, which has the wasm32 std); the rustup
# toolchain in ~/.cargo/bin has no wasm32 target. No crate dependencies, so --offline always works.
# The crate path is remapped (--remap-path-prefix) and symbols are stripped, so the bytes do not
# depend on where the repository is checked out.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CRATE="$ROOT/rust"
CARGO=/usr/bin/cargo
export RUSTC=/usr/bin/rustc
# memory.atomic.wait32/notify (core::arch::wasm32, feature `stdsimd`) are unstable in rustc 1.63: allow
# unstable features for the fastnn crate only (Debian ships no nightly; the bytes stay deterministic).
export RUSTC_BOOTSTRAP=fastnn
TARGET=wasm32-unknown-unknown

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

[ -x "$CARGO" ] && [ -x "$RUSTC" ] || {
  echo "build-rust: needs Debian's rustc/cargo: apt-get install -y rustc cargo libstd-rust-dev-wasm32" >&2
  exit 1
}

COMMON="-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=2147483648"
COMMON="$COMMON -C link-arg=--strip-all --remap-path-prefix=$CRATE=/fastnn"

if [ "$CHECK" = 1 ]; then
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
  TDIR="$OUT/target"
else
  OUT="$CRATE"
  TDIR="$CRATE/target"
fi

build() { # variant features
  local variant=$1 features=$2
  RUSTFLAGS="-C target-feature=$features $COMMON" \
    "$CARGO" build --offline --release --quiet --target "$TARGET" \
      --manifest-path "$CRATE/Cargo.toml" --target-dir "$TDIR/$variant"
  cp "$TDIR/$variant/$TARGET/release/fastnn.wasm" "$OUT/fastnn-$variant.wasm"
}

build simd "+simd128,+atomics,+bulk-memory,+mutable-globals"
build scalar "+atomics,+bulk-memory,+mutable-globals"

if [ "$CHECK" = 1 ]; then
  status=0
  for v in simd scalar; do
    if ! cmp -s "$OUT/fastnn-$v.wasm" "$CRATE/fastnn-$v.wasm"; then
      echo "build-rust --check: rust/fastnn-$v.wasm differs from a fresh build (run: npm run build:rust)" >&2
      status=1
    fi
  done
  [ "$status" = 0 ] && echo "build-rust --check: both modules match a fresh build"
  exit $status
fi
ls -l "$CRATE"/fastnn-simd.wasm "$CRATE"/fastnn-scalar.wasm
