#!/usr/bin/env bash
# The API contract: a fresh `hygeia serve` on loopback, checked by schemathesis (pinned in
# requirements.txt) against its own OpenAPI document. Two bounded runs: as a practice
# administrator's write-scope API token with an enrolled computer's node key (every check,
# including that each route refuses requests without them), and anonymously. Fails on any
# failed check. Usage: run.sh PATH/TO/hygeia
#
# HYGEIA_CONTRACT_EXAMPLES (default 25) and HYGEIA_CONTRACT_MAX_TIME (seconds per run, default
# 90) bound the run; HYGEIA_CONTRACT_SEED picks the examples (a fixed default, so CI is
# repeatable; set another to explore).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
hygeia=$(realpath "${1:?give the path of the hygeia binary}")
examples=${HYGEIA_CONTRACT_EXAMPLES:-25}
max_time=${HYGEIA_CONTRACT_MAX_TIME:-90}
seed=${HYGEIA_CONTRACT_SEED:-20261205}
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

"$hygeia" serve --database "$dir/contract.db" init --practice Contract \
  --admin-email admin@contract.example >"$dir/init.txt"
one_time=$(sed -n 3p "$dir/init.txt" | tr -d ' ')
"$hygeia" serve --database "$dir/contract.db" --listen "127.0.0.1:$port" --enroll-rate 100000 \
  >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 50); do
  python3 -c "import urllib.request; urllib.request.urlopen('$base/healthz', timeout=2)" 2>/dev/null && break
  sleep 0.2
done

while IFS= read -r assignment; do
  export "${assignment?}"
done < <(python3 "$here/credentials.py" "$base" admin@contract.example "$one_time")

# use_after_free: removing a computer keeps its history for HIPAA, so its page stays readable
# (documented). positive_data_acceptance on the report: a report's collection time must be
# recent, which a schema cannot say, so generated reports are refused with a 422 that says why.
# The same for a device inventory upload: its text must list devices (a CSV header naming name,
# vendor and model, then rows), which a schema cannot say; generated text is refused with a 400
# that says why. The same again for a phone import: its text must be an Intune or Google
# Workspace export.
# schemathesis keeps a cache in the folder it runs in: the temporary one, not the repository.
cd "$dir"
common=(--checks all --exclude-checks use_after_free -n "$examples" --max-time "$max_time"
  --seed "$seed" --request-timeout 30 --warnings off --no-color)
status=0
echo "== contract run as an administrator's API token and a computer's node key"
schemathesis --config-file "$here/schemathesis.toml" run "$base/api/openapi.json" "${common[@]}" \
  --exclude-path /api/agent/v1/report --exclude-name 'POST /api/v1/practices/{id}/devices' \
  --exclude-name 'POST /api/v1/practices/{id}/phones/import' || status=1
schemathesis --config-file "$here/schemathesis.toml" run "$base/api/openapi.json" "${common[@]}" \
  --include-path /api/agent/v1/report \
  --exclude-checks positive_data_acceptance,use_after_free --max-time 30 || status=1
schemathesis --config-file "$here/schemathesis.toml" run "$base/api/openapi.json" "${common[@]}" \
  --include-name 'POST /api/v1/practices/{id}/devices' \
  --exclude-checks positive_data_acceptance,use_after_free --max-time 30 || status=1
schemathesis --config-file "$here/schemathesis.toml" run "$base/api/openapi.json" "${common[@]}" \
  --include-name 'POST /api/v1/practices/{id}/phones/import' \
  --exclude-checks positive_data_acceptance,use_after_free --max-time 30 || status=1
echo "== contract run anonymously"
HYGEIA_CONTRACT_TOKEN=none HYGEIA_CONTRACT_NODE_KEY=none \
  schemathesis run "$base/api/openapi.json" "${common[@]}" || status=1
if [ "$status" != 0 ]; then
  echo "contract run failed; the server's log:" >&2
  tail -50 "$dir/serve.log" >&2
fi
exit "$status"
