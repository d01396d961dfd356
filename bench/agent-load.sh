#!/usr/bin/env bash
# Simulates enrolled computers reporting to `hygeia serve` on loopback (SQLite), then times the
# practice overview and the dashboard's pages.
# Usage: bench/agent-load.sh [HOSTS=10000] [DAYS=30] [SECONDS=30] [PRACTICES=0]
# PRACTICES=0: one stand-alone practice with every computer, signed in as its administrator.
# PRACTICES=N: an insurer with N practices sharing the computers, signed in as its analyst.
# SECONDS=0 skips the ingest phase.
# The load generator (crates/hygeia-server/examples/agent_load.rs) runs on the same 2 cores as
# the server, so the figures are a lower bound for the server alone.
set -euo pipefail
cd "$(dirname "$0")/.."
hosts=${1:-10000}
days=${2:-30}
seconds=${3:-30}
practices=${4:-0}
cargo build --release -q -p hygeia
cargo build --release -q -p hygeia-server --example agent_load
hygeia=target/release/hygeia
load=target/release/examples/agent_load
work=$(mktemp -d)
db=$work/bench.db
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

if [ "$practices" -gt 0 ]; then
  kind=(--insurer "Benchmark Mutual") email=analyst@bench.example
else
  kind=(--practice "Benchmark Practice") email=admin@bench.example
fi
password=$($hygeia serve init --database "$db" "${kind[@]}" --admin-email "$email" |
  awk 'NF == 1 && length($1) == 20 { print $1 }')
$hygeia serve --database "$db" --listen 127.0.0.1:0 --enroll-rate 1000000 2>"$work/serve.log" &
pid=$!
for _ in $(seq 50); do grep -q "listening on" "$work/serve.log" && break; sleep 0.2; done
base=$(grep -o 'http://[0-9.:]*' "$work/serve.log" | head -1)
echo "server $base, database $db, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"

$load setup "$base" "$db" "$email" "$password" "$hosts" "$work/state.json" "$practices"
echo "== history: one stored report per computer and day for $days days"
$load history "$base" "$db" "$work/state.json" "$days" | tail -3
echo "database after history: $(du -sh "$db" | cut -f1) (+ WAL $(du -sh "$db-wal" 2>/dev/null | cut -f1))"
# CPU seconds the server used (user + system), to tell its share from the load generator's.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$pid/stat"; }
echo "== ingest"
for changed in $([ "$seconds" -gt 0 ] && echo 100 5); do
  before=$(server_cpu)
  $load ingest "$base" "$work/state.json" "$seconds" "$changed" 16
  echo "   server CPU: $(awk -v a="$before" -v b="$(server_cpu)" 'BEGIN { printf "%.1f", b - a }') s"
done
echo "== dashboard API and pages with $hosts computers, $days days of history, practices: ${practices/#0/1 (stand-alone)}"
$load overview "$base" "$work/state.json" 200
echo "server peak memory: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
