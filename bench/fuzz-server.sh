#!/usr/bin/env bash
# Fuzzes what `hygeia serve` reads from outside (fuzz/fuzz_targets/server.rs: agent report
# bodies through validation, storage compression and read-back; and the attestation report's
# PDF layout with arbitrary text) for a given time, seeded with reports of the server's tests.
#
#   bench/fuzz-server.sh [SECONDS]      (default 600)
#
# Stable toolchain (`-s none`). A crash, a time-out (> 10 s for one input) or more than 2 GB of
# memory stops the run and leaves the input under fuzz/artifacts/server/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
corpus="target/fuzz-corpus/server"
mkdir -p "$corpus"
# A real report of this computer, and one with an attested answer, as seeds.
cargo run --release -q -- check --format json > "$corpus/live-check.json" || true
printf '%s' '{"schema":"hygeia.check/1","generated_at":"2026-11-28T10:00:01Z","host":{"hostname":"pc1","platform":"linux","os":"Debian","user":"dr.lee","source":"live","collected_at":"2026-11-28T10:00:00Z"},"controls":[{"id":"HY-EM-001","title":"t","area":"email","status":"attested","severity":"high","reason":"r","evidence":[],"measured":"attested","why":"w","hicp":"h","csf":"c","hipaa":"p","fix":"f","attestation":{"answer":true,"by":"dr.lee","at":"2026-11-01T09:00:00Z","note":"app"}}]}' \
  > "$corpus/attested.json"
cargo fuzz build -s none -O server
cargo fuzz run -s none -O server "$corpus" -- \
  -max_total_time="$seconds" -max_len=1048576 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -25
