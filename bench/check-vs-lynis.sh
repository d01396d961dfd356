#!/usr/bin/env bash
# Times `hygeia check` against Debian's `lynis audit system --quick` on this machine and counts
# how many AMA/AHA guidance items (bench/ama-aha-items.tsv) each one covers.
#
#   bench/check-vs-lynis.sh            # 20 Hygeia runs, 3 Lynis runs
#   HYGEIA_RUNS=50 LYNIS_RUNS=5 bench/check-vs-lynis.sh
#
# Needs: cargo, lynis, python3 (hyperfine is used when installed). Run as root for the fullest
# result of both tools. Prints a Markdown block for docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

HYGEIA_RUNS=${HYGEIA_RUNS:-20}
LYNIS_RUNS=${LYNIS_RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v lynis >/dev/null || { echo "lynis is not installed: apt-get install lynis" >&2; exit 2; }
cargo build --release -q -p hygeia
hygeia=target/release/hygeia

# Median wall time of a command run N times, in seconds.
median_time() {
  local runs=$1; shift
  python3 - "$runs" "$@" <<'PY'
import subprocess, sys, time, statistics
runs = int(sys.argv[1]); cmd = sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times.append(time.perf_counter() - start)
print(f"{statistics.median(times):.3f} {min(times):.3f} {max(times):.3f}")
PY
}

"$hygeia" check --format json --output /dev/null >/dev/null 2>&1 || true   # warm the page cache
read -r h_med h_min h_max < <(median_time "$HYGEIA_RUNS" "$hygeia" check --format json --output /dev/null)
read -r l_med l_min l_max < <(median_time "$LYNIS_RUNS" lynis audit system --quick --no-colors \
  --report-file "$work/lynis-report.dat" --logfile "$work/lynis.log")

HYGEIA_CONFIG_DIR="$work/config" "$hygeia" check --format json --output "$work/hygeia.json" 2>/dev/null || true

python3 - "$work/hygeia.json" "$work/lynis-report.dat" bench/ama-aha-items.tsv "$work/lynis.log" <<PY
import json, sys
report = json.load(open(sys.argv[1]))
status = {c["id"]: c["status"] for c in report["controls"]}
lynis = {}
for line in open(sys.argv[2], errors="replace"):
    key, _, value = line.rstrip("\n").partition("=")
    lynis.setdefault(key, []).append(value)
executed = set("|".join(lynis.get("tests_executed", [""])).split("|"))
# Lynis logs "EOL check: 0" (supported) or "1" (end of life) when its database knows the OS,
# and 255 when it does not.
log = open(sys.argv[4], errors="replace").read()
if "EOL check: 0" in log or "EOL check: 1" in log:
    executed.add("OS-EOL")
rows, h_cat, h_meas, l_cov = [], 0, 0, 0
for line in open(sys.argv[3]):
    if line.startswith("#") or not line.strip():
        continue
    item, controls, tests = line.rstrip("\n").split("\t")
    ids = controls.split(",")
    measured = any(status.get(i) in ("pass", "fail", "warn", "not_applicable") for i in ids)
    l = tests != "-" and any(t in executed for t in tests.split(","))
    h_cat += 1; h_meas += measured; l_cov += l
    rows.append(f"| {item} | {'yes' if measured else 'catalogued (attested or unknown here)'} | {'yes' if l else 'no'} |")
print(f"| tool | median wall time | min | max | runs |")
print(f"|---|---|---|---|---|")
print(f"| hygeia check --format json | ${h_med} s | ${h_min} s | ${h_max} s | ${HYGEIA_RUNS} |")
print(f"| lynis audit system --quick | ${l_med} s | ${l_min} s | ${l_max} s | ${LYNIS_RUNS} |")
print()
print(f"AMA/AHA items: Hygeia has a control for {h_cat} of {h_cat} and measured {h_meas} automatically on this machine; Lynis touched {l_cov} of {h_cat}.")
print()
print("| AMA/AHA item | Hygeia measured here | Lynis test ran |")
print("|---|---|---|")
print("\n".join(rows))
PY
