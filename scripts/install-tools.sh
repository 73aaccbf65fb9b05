#!/usr/bin/env bash
# Installs what building and serving Glasshouse needs, skipping whatever is already there.
# Nothing here downloads a prebuilt binary: the tools are built from crates.io.
#   scripts/install-tools.sh            cargo-leptos, wasm-bindgen-cli, the wasm32 target
#   scripts/install-tools.sh --release  also wasm-opt (binaryen built from source, ~20 min)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 0.3.11 needs a newer rustc than the toolchain here.
CARGO_LEPTOS_VERSION=0.3.10
if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 15 minutes on a fresh machine)"
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
fi

# The wasm-bindgen CLI must be exactly the wasm-bindgen crate in Cargo.lock.
WB_VERSION=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$WB_VERSION" ]; then
  echo "cannot read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB_VERSION"; then
  log "installing wasm-bindgen-cli $WB_VERSION (about 3 minutes)"
  # Not --locked: one of its locked dependency versions is not on the registry.
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if [ "${1:-}" = "--release" ]; then
  # Debian's binaryen (108) breaks hydration of this toolchain's WASM; 116 works.
  WASM_OPT_VERSION=0.116.1
  if ! wasm-opt --version 2>/dev/null | grep -q "version 116"; then
    log "installing wasm-opt $WASM_OPT_VERSION (builds binaryen; about 20 minutes)"
    cargo install wasm-opt --version "$WASM_OPT_VERSION" --locked
  fi
fi
