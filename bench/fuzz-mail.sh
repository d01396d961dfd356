#!/usr/bin/env bash
# Fuzzes the whole per-message path of `hygeia mail` (fuzz/fuzz_targets/message.rs) with
# libFuzzer for a given time, seeded with the project's own test messages.
#
#   bench/fuzz-mail.sh [SECONDS]      (default 600)
#
# Runs on the stable toolchain: `cargo fuzz` with `-s none` needs no sanitizer and so no nightly.
# A crash, a time-out (> 10 s for one message) or more than 2 GB of memory stops the run and
# leaves the input under fuzz/artifacts/message/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus="target/fuzz-corpus/message"
mkdir -p "$corpus"
cp -n crates/hygeia-mail/tests/fixtures/messages/*.eml "$corpus/" 2>/dev/null || true
cargo fuzz build -s none -O message
cargo fuzz run -s none -O message "$corpus" -- \
  -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -25
