#!/usr/bin/env bash
# Times a device inventory upload through `hygeia serve` (issue 15): parse, match against every
# CISA medical advisory and the KEV catalog in ../shared/data, and store the devices, findings
# and HY-MD-101..104, for the same generated inventory as bench/devices-match.sh. Also the
# re-match of that inventory when a new advisory snapshot arrives, and the server's peak memory.
# Loopback only.
#
#   bench/devices-upload.sh [DEVICES]     (default 10000; SQLite, or PostgreSQL with
#                                          HYGEIA_BENCH_POSTGRES_URL=postgres://...)
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:-10000}"
data="../shared/data"
[ -d "$data/csaf-icsma" ] || { echo "needs $data/csaf-icsma (on CI and developer machines)" >&2; exit 2; }
# The same inventory as the matching benchmark (made by it when missing or of another size).
inventory="target/bench-devices/inventory.csv"
if [ "$(wc -l <"$inventory" 2>/dev/null || echo 0)" != "$((devices + 1))" ]; then
  bench/devices-match.sh "$devices" >/dev/null 2>&1 || true
fi
cargo build --release -q
bin=target/release/hygeia
work=$(mktemp -d)
database="${HYGEIA_BENCH_POSTGRES_URL:-$work/bench.db}"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

# A store made "elsewhere" from the shared data, copied in as an offline server would.
mkdir -p "$work/usb/csaf"
cp "$data"/csaf-icsma/*.json "$work/usb/csaf/"
cp "$data/kev/known_exploited_vulnerabilities.json" "$work/usb/kev.json"
"$bin" devices update --from "$work/usb" --store "$work/store" >/dev/null

"$bin" serve --database "$database" init --practice "Bench $$" \
  --admin-email "bench-$$@bench.example" >"$work/init.txt"
one_time=$(sed -n 3p "$work/init.txt" | tr -d ' ')
"$bin" serve --database "$database" \
  --listen "127.0.0.1:$port" --devices-store "$work/store" >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('$base/healthz', timeout=2)" 2>/dev/null && break
  sleep 0.2
done
while IFS= read -r assignment; do
  export "${assignment?}"
done < <(python3 crates/hygeia-server/tests/contract/credentials.py "$base" "bench-$$@bench.example" "$one_time")

python3 - "$base" "$HYGEIA_CONTRACT_TOKEN" "$HYGEIA_CONTRACT_PRACTICE" "$inventory" <<'PY'
import json, sys, time, urllib.request
base, token, practice, path = sys.argv[1:]
body = json.dumps({"file_name": "inventory.csv", "content": open(path).read()}).encode()
def call(method, url, data=None):
    request = urllib.request.Request(base + url, data=data, method=method)
    request.add_header("content-type", "application/json")
    request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)
times = []
for _ in range(3):
    start = time.monotonic()
    answer = call("POST", f"/api/v1/practices/{practice}/devices", body)
    times.append(time.monotonic() - start)
counts = answer["counts"]
print(f"upload of {answer['inventory']['devices']} devices ({len(body) >> 10} KB): "
      f"best {min(times):.2f} s, median {sorted(times)[1]:.2f} s of 3; "
      f"{counts['total']} findings ({counts['critical']} critical, {counts['high']} high, {counts['kev']} KEV)")
start = time.monotonic()
page = call("GET", f"/api/v1/practices/{practice}/devices?affected=true&limit=50")
print(f"first page of affected devices: {time.monotonic() - start:.3f} s")
PY

# A new snapshot: the server notices it within a minute and matches the inventory again.
touch "$work/usb/kev.json"
"$bin" devices update --from "$work/usb" --store "$work/store" >/dev/null
start=$(date +%s.%N)
for _ in $(seq 120); do
  grep -q "matched 1 practice inventories" "$work/serve.log" && break
  sleep 1
done
grep -q "matched 1 practice inventories" "$work/serve.log" || { echo "no re-match within 2 minutes" >&2; exit 1; }
python3 -c "print('re-match noticed within %.0f s of the new snapshot (the server looks every 60 s)' % ($(date +%s.%N) - $start))"
grep -o "matched 1 practice inventories.*" "$work/serve.log"
echo "server peak memory: $(awk '/VmHWM/ {print $2, $3}' "/proc/$server/status")"
