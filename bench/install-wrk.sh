#!/usr/bin/env bash
# Installs wrk (Debian's package) for the consent-check benchmark's cross-check of its own
# load generator. Idempotent: does nothing when `wrk` is already on the PATH.
set -euo pipefail
if command -v wrk >/dev/null; then
    exit 0
fi
command -v apt-get >/dev/null || { echo "install-wrk: no apt-get; install wrk yourself" >&2; exit 1; }
SUDO=
if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { echo "install-wrk: needs root (or sudo) for apt-get" >&2; exit 1; }
    SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -qq wrk >&2 || { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq wrk >&2; }
command -v wrk >/dev/null
