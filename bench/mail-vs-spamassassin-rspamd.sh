#!/usr/bin/env bash
# Runs `hygeia mail eval`, SpamAssassin (spamd -L, local tests only, via spamc) and Rspamd
# (offline: DNS pointed at loopback, network and DNS-based modules off, hfilter included) on the
# same labelled mail folders, and
# prints for each tool the share of each folder flagged and the messages per second.
#
#   bench/mail-vs-spamassassin-rspamd.sh [CORPUS_DIR]      # default ../shared/corpus/mail
#
# Folders: every folder of .eml files under CORPUS_DIR/phish and CORPUS_DIR/ham, with
# phishing_pot split by year (train up to 2023, validation 2024), plus the project's own
# tests/corpus/ham-modern/{train,validation}.
#
# Needs: apt-get install spamassassin spamc rspamd. Run as root (rspamd drops privileges
# otherwise). Flagged means: Hygeia phishing or suspicious; SpamAssassin score at or above its
# threshold (5.0); Rspamd any action other than "no action".
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus/mail}
work=$(mktemp -d)
cleanup() {
  [ -f "$work/spamd.pid" ] && kill "$(cat "$work/spamd.pid")" 2>/dev/null || true
  [ -f "$work/rspamd/run/rspamd.pid" ] && kill "$(cat "$work/rspamd/run/rspamd.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for tool in spamd spamc rspamd rspamc; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install spamassassin spamc rspamd" >&2; exit 2; }
done
mapfile -t found < <(find "$corpus/phish" "$corpus/ham" -mindepth 1 -maxdepth 2 -type d -exec sh -c 'ls "$1"/*.eml >/dev/null 2>&1 && echo "$1"' _ {} \; | sort)
[ "${#found[@]}" -gt 0 ] || { echo "no folders of .eml files under $corpus" >&2; exit 2; }
# phishing_pot is split by the year of each message's Date: the indicators and weights were
# set on the part up to 2023 ("train") and are reported on 2024 ("validation"), mail they were
# not fitted on. The split copies into the temporary folder, never into the repository.
folders=()
for f in "${found[@]}"; do
  case "$f" in
    */phish/phishing_pot-*)
      python3 bench/mail-split-by-year.py "$f" "$work/phishing_pot" --validation-from 2024
      mkdir -p "$work/phish"
      mv "$work/phishing_pot/train" "$work/phish/phishing_pot-train-to-2023"
      mv "$work/phishing_pot/validation" "$work/phish/phishing_pot-validation-2024"
      folders+=("$work/phish/phishing_pot-train-to-2023" "$work/phish/phishing_pot-validation-2024") ;;
    *) folders+=("$f") ;;
  esac
done
# The project's own modern legitimate mail (tests/corpus/ham-modern), both halves.
folders+=("$PWD/tests/corpus/ham-modern/train" "$PWD/tests/corpus/ham-modern/validation")

cargo build --release -q -p hygeia
echo "## hygeia mail eval ($(date -u +%F))"
args=()
for f in "${folders[@]}"; do
  case "$f" in */phish/*) args+=(--phish "$f") ;; *) args+=(--ham "$f") ;; esac
done
target/release/hygeia mail eval "${args[@]}"
echo
echo "Sequential (1 thread):"
target/release/hygeia mail eval --jobs 1 "${args[@]}" | grep "messages in"
# The phishing_pot messages were received by Microsoft 365, whose Authentication-Results carry
# no authserv-id. A practice reading its own Microsoft 365 mailbox trusts them (mail imap does
# so by itself), so this run shows what that evidence adds. The ham set has no such headers.
echo
echo "With --trusted-authserv microsoft365:"
target/release/hygeia mail eval --trusted-authserv microsoft365 "${args[@]}" | head -11

# --- SpamAssassin: local tests only (no DNS or network tests) -------------------------------
spamd -L --listen=127.0.0.1:7830 --max-children=2 --pidfile="$work/spamd.pid" -d -x --allowed-ips=127.0.0.1 2>/dev/null
for _ in $(seq 1 60); do spamc -d 127.0.0.1 -p 7830 -c < /dev/null >/dev/null 2>&1 && break; sleep 1; done

# --- Rspamd: offline configuration -----------------------------------------------------------
mkdir -p "$work/rspamd/local.d" "$work/rspamd/override.d" "$work/rspamd/run" "$work/rspamd/db" "$work/rspamd/log"
cat > "$work/rspamd/local.d/options.inc" <<'CONF'
dns { nameserver = ["127.0.0.1:53"]; timeout = 0.1s; retransmits = 0; }
CONF
for module in rbl surbl fuzzy_check phishing asn dkim spf dmarc arc greylist ratelimit neural reputation hfilter \
              mx_check url_redirector emails replies history_redis dcc antivirus external_services \
              bimi clickhouse elastic metadata_exporter p0f spamtrap rspamd_update; do
  echo "enabled = false;" > "$work/rspamd/local.d/$module.conf"
done
cat > "$work/rspamd/local.d/worker-normal.inc" <<'CONF'
bind_socket = "127.0.0.1:11733";
count = 2;
CONF
cat > "$work/rspamd/local.d/worker-controller.inc" <<'CONF'
bind_socket = "127.0.0.1:11734";
CONF
echo 'enabled = false;' > "$work/rspamd/local.d/worker-proxy.inc"
echo 'backend = "sqlite3"; enabled = false;' > "$work/rspamd/local.d/classifier-bayes.conf"
rspamd -c /etc/rspamd/rspamd.conf -u root -g root \
  --var LOCAL_CONFDIR="$work/rspamd" --var RUNDIR="$work/rspamd/run" --var DBDIR="$work/rspamd/db" \
  --var LOGDIR="$work/rspamd/log" >/dev/null 2>&1
for _ in $(seq 1 60); do rspamc -h 127.0.0.1:11733 stat >/dev/null 2>&1 && break; sleep 1; done

echo
echo "## SpamAssassin $(spamassassin --version | head -1 | awk '{print $3}') (spamd -L) and Rspamd $(rspamd --version | awk '{print $4}' | head -1) (offline), sequential"
printf '%-6s %8s %12s %8s %12s %8s  %s\n' label messages SA-flagged SA-msg/s RS-flagged RS-msg/s folder
for f in "${folders[@]}"; do
  label=ham; case "$f" in */phish/*) label=phish ;; esac
  files=("$f"/*.eml)
  n=${#files[@]}
  start=$(date +%s.%N); sa=0
  for m in "${files[@]}"; do
    score=$(spamc -d 127.0.0.1 -p 7830 -c < "$m" 2>/dev/null || true)
    awk -v s="$score" 'BEGIN { split(s, a, "/"); exit !(a[1] + 0 >= a[2] + 0 && a[2] != "") }' && sa=$((sa + 1))
  done
  sa_time=$(echo "$(date +%s.%N) - $start" | bc)
  start=$(date +%s.%N)
  rs=$(for m in "${files[@]}"; do rspamc -h 127.0.0.1:11733 < "$m" 2>/dev/null | grep -m1 '^Action:'; done | grep -vc 'no action' || true)
  rs_time=$(echo "$(date +%s.%N) - $start" | bc)
  printf '%-6s %8d %11.1f%% %8.1f %11.1f%% %8.1f  %s\n' "$label" "$n" \
    "$(echo "100 * $sa / $n" | bc -l)" "$(echo "$n / $sa_time" | bc -l)" \
    "$(echo "100 * $rs / $n" | bc -l)" "$(echo "$n / $rs_time" | bc -l)" "$f"
done
