#!/usr/bin/env bash
# How a flood of sign-ins affects everyone else: N sign-in attempts (unknown addresses, so each
# costs one argon2id hash) from many loopback addresses at once, while /healthz is timed.
# Loopback only. Usage: bench/signin-flood.sh PATH/TO/hygeia [ATTEMPTS] [CLIENT_ADDRESSES]
# Prints the /healthz latency (median, 95th percentile, worst) with and without the flood.
set -euo pipefail
hygeia=$(realpath "${1:?give the path of a release hygeia binary}")
attempts=${2:-480}
addresses=${3:-48}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$hygeia" serve --database "$dir/flood.db" init --practice Flood --admin-email a@flood.example >/dev/null
"$hygeia" serve --database "$dir/flood.db" --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
sleep 1
python3 - "$port" "$attempts" "$addresses" <<'PY'
import http.client, json, statistics, sys, threading, time
port, attempts, addresses = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def health_latencies(seconds):
    out, end = [], time.time() + seconds
    while time.time() < end:
        start = time.time()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", "/healthz")
        c.getresponse().read()
        c.close()
        out.append(time.time() - start)
        time.sleep(0.05)
    return out

def sign_ins(index, count, statuses):
    # Each client its own loopback address, so the per-address limit lets its share through.
    source = (f"127.0.{1 + index // 250}.{1 + index % 250}", 0)
    for n in range(count):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
        body = json.dumps({"email": f"nobody{index}-{n}@flood.example", "password": "wrong guess"})
        c.request("POST", "/api/v1/session/login", body, {"content-type": "application/json"})
        statuses.append(c.getresponse().status)
        c.close()

def summary(name, values):
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1] if values else 0
    print(f"{name}: {len(values)} requests, median {statistics.median(values)*1000:.1f} ms, "
          f"p95 {p95*1000:.1f} ms, worst {values[-1]*1000:.1f} ms")

summary("/healthz at rest", health_latencies(3))
statuses = []
per_client = max(1, attempts // addresses)
threads = [threading.Thread(target=sign_ins, args=(i, per_client, statuses)) for i in range(addresses)]
started = time.time()
for t in threads: t.start()
during = []
# Time /healthz until the flood is over.
while any(t.is_alive() for t in threads):
    s = time.time()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", "/healthz"); c.getresponse().read(); c.close()
    during.append(time.time() - s)
    time.sleep(0.05)
for t in threads: t.join()
took = time.time() - started
print(f"flood: {len(statuses)} sign-ins from {addresses} addresses in {took:.1f} s "
      f"({statuses.count(401)} answered 401, {statuses.count(429)} rate-limited)")
summary("/healthz during the flood", during)
PY
