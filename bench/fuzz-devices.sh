#!/usr/bin/env bash
# Fuzzes every parser of `hygeia devices` (fuzz/fuzz_targets/devices.rs: inventory CSV/JSON/SBOM,
# CSAF, KEV, EPSS, NVD, version ranges, then matching) for a given time, seeded with the
# project's own device fixtures.
#
#   bench/fuzz-devices.sh [SECONDS]      (default 600)
#
# Stable toolchain (`-s none`). A crash, a time-out (> 10 s for one input) or more than 2 GB of
# memory stops the run and leaves the input under fuzz/artifacts/devices/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus="target/fuzz-corpus/devices"
mkdir -p "$corpus"
cp -n crates/hygeia-devices/tests/fixtures/*.csv crates/hygeia-devices/tests/fixtures/*.json \
  crates/hygeia-devices/tests/fixtures/csaf/*.json "$corpus/" 2>/dev/null || true
cargo fuzz build -s none -O devices
cargo fuzz run -s none -O devices "$corpus" -- \
  -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -25
