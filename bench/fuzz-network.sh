#!/usr/bin/env bash
# Fuzzes every parser of `hygeia check --network` (fuzz/fuzz_targets/network.rs: SSDP, HTTP,
# UPnP descriptions and SOAP answers, mDNS, routing tables, then a transcript through the
# HY-NET-006..008 rules) for a given time, seeded with the router fixtures.
#
#   bench/fuzz-network.sh [SECONDS]      (default 600)
#
# Stable toolchain (`-s none`). A crash, a time-out (> 10 s for one input) or more than 2 GB of
# memory stops the run and leaves the input under fuzz/artifacts/network/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus="target/fuzz-corpus/network"
mkdir -p "$corpus"
cp -n crates/hygeia-host/tests/fixtures/net/*.txt crates/hygeia-host/tests/fixtures/net/*.xml "$corpus/" 2>/dev/null || true
cargo fuzz build -s none -O network
cargo fuzz run -s none -O network "$corpus" -- \
  -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -25
