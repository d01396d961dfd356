#!/usr/bin/env bash
# Fuzzes every parser of `hygeia phone` (fuzz/fuzz_targets/phone.rs: adb and libimobiledevice
# outputs, User-Agent and Client Hints, Intune and Google Workspace CSVs, phone snapshots, then the
# HY-PH rules) for a given time, seeded with the phone fixtures.
#
#   bench/fuzz-phone.sh [SECONDS]      (default 600)
#
# Stable toolchain (`-s none`). A crash, a time-out (> 10 s for one input) or more than 2 GB of
# memory stops the run and leaves the input under fuzz/artifacts/phone/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus="target/fuzz-corpus/phone"
mkdir -p "$corpus"
cp -n crates/hygeia-phone/tests/fixtures/*.txt crates/hygeia-phone/tests/fixtures/*.csv "$corpus/" 2>/dev/null || true
cargo fuzz build -s none -O phone
cargo fuzz run -s none -O phone "$corpus" -- \
  -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -25
