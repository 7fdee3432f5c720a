#!/usr/bin/env bash
# Cross-compiles test/native/forward_check.cc with the same sources and flags as
# the linux-arm64 prebuild (baseline arm64: NEON, no -march) and runs it under
# qemu-aarch64: a check of the arm64 forward pass on an x86-64 machine, where the
# arm64 addon itself cannot be loaded. Needs Debian's g++-aarch64-linux-gnu and qemu-user.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The check itself at -O1: GCC 12's aarch64 vectorizer crashes on its reduction loop.
aarch64-linux-gnu-g++ -std=c++17 -O1 -c -o "$out/check.o" test/native/forward_check.cc
aarch64-linux-gnu-g++ -std=c++17 -O3 -static -pthread -o "$out/forward_check" \
  "$out/check.o" native/mlp_forward.cc native/cpu_features.cc
aarch64-linux-gnu-readelf -h "$out/forward_check" | grep -q AArch64
qemu-aarch64 "$out/forward_check"
