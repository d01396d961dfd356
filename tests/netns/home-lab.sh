#!/usr/bin/env bash
# A pretend home network in network namespaces, for `hygeia check --network` tests. Nothing in it
# can reach a real network: the namespaces are joined only to each other, and the router's
# "internet" side is a veth pair that ends inside the router namespace.
#
#   home-lab.sh up ID exposed|quiet     build it (prints nothing on success)
#   home-lab.sh down ID                 remove it (safe to run twice)
#
# Namespaces: hy-home-ID (the clinician's computer, 192.168.77.10), hy-router-ID (192.168.77.1 on
# bridge br0, multicast flooded to every port; "internet" address 11.22.33.2 on wan0), hy-tv-ID (192.168.77.20), hy-cam-ID
# (192.168.77.30). IPv6 is off everywhere so that an idle interface sends nothing by itself and
# the test can count the packets hygeia sends.
#
# exposed: miniupnpd (UPnP IGD and NAT-PMP) says it is a D-Link DIR-859 and holds two mappings,
#          one of them to Remote Desktop (3389) on the home computer; a plain-HTTP settings page
#          on 80, a telnet login on 23; a TV (Google Cast, DIAL) and a camera (RTSP) answer mDNS
#          and SSDP.
# quiet:   no UPnP, no NAT-PMP; port 80 only redirects to HTTPS; no other device.
#
# Needs root, iproute2, nftables, miniupnpd (Debian's miniupnpd-nftables) and python3.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
action="${1:?usage: home-lab.sh up ID exposed|quiet | down ID}"
id="${2:?an ID is required}"
state="/run/hygeia-lab-$id"

home="hy-home-$id"
router="hy-router-$id"
tv="hy-tv-$id"
cam="hy-cam-$id"

down() {
  if [[ -d "$state" ]]; then
    for pidfile in "$state"/*.pid; do
      [[ -e "$pidfile" ]] || continue
      kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || true
    done
    sleep 0.2
    rm -rf "$state"
  fi
  for ns in "$home" "$router" "$tv" "$cam"; do
    ip netns del "$ns" 2>/dev/null || true
  done
}

# Runs a background program inside a namespace and keeps its pid for `down`.
start() {
  local name="$1" ns="$2"
  shift 2
  ip netns exec "$ns" "$@" >"$state/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}

add_namespace() {
  local ns="$1"
  ip netns add "$ns"
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$ns" link set lo up
}

# A device on the home segment: a veth whose other end is a port of the router's bridge.
attach() {
  local ns="$1" port="$2" address="$3"
  ip link add eth0 netns "$ns" type veth peer name "$port" netns "$router"
  ip -n "$router" link set "$port" master br0 up
  ip -n "$ns" addr add "$address/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via 192.168.77.1
}

wait_for_port() {
  local ns="$1" port="$2"
  for _ in $(seq 50); do
    if ip netns exec "$ns" bash -c "exec 3<>/dev/tcp/192.168.77.1/$port" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "home-lab: nothing listens on port $port in $ns; see $state/*.log" >&2
  return 1
}

up() {
  local scenario="$1"
  down
  mkdir -p "$state"
  chmod 700 "$state"
  for ns in "$router" "$home"; do add_namespace "$ns"; done
  ip -n "$router" link add br0 type bridge mcast_snooping 0
  ip -n "$router" addr add 192.168.77.1/24 dev br0
  ip -n "$router" link set br0 up
  ip -n "$router" link add wan0 type veth peer name wan1
  ip -n "$router" addr add 11.22.33.2/24 dev wan0
  ip -n "$router" link set wan0 up
  ip -n "$router" link set wan1 up
  attach "$home" p-home 192.168.77.10

  if [[ "$scenario" == "exposed" ]]; then
    ip netns exec "$router" nft -f "$here/miniupnpd.nft"
    cat >"$state/miniupnpd.conf" <<EOF
ext_ifname=wan0
listening_ip=br0
http_port=5000
enable_natpmp=yes
enable_upnp=yes
secure_mode=no
friendly_name=Home Router
manufacturer_name=D-Link
model_name=DIR-859
model_number=1.06B01
uuid=3d3cec3a-8cf0-11e0-98ee-001a6bd2d07b
lease_file=$state/miniupnpd.leases
allow 1024-65535 192.168.77.0/24 1024-65535
allow 3389 192.168.77.0/24 3389
deny 0-65535 0.0.0.0/0 0-65535
EOF
    start miniupnpd "$router" miniupnpd -d -f "$state/miniupnpd.conf" -P "$state/miniupnpd.real.pid"
    wait_for_port "$router" 5000
    start http "$router" python3 "$here/lab.py" http-admin 80 login
    start telnet "$router" python3 "$here/lab.py" telnet 23
    wait_for_port "$router" 80
    wait_for_port "$router" 23
    ip netns exec "$home" python3 "$here/lab.py" add-mapping 192.168.77.1 3389 192.168.77.10 3389 "Remote Desktop"
    ip netns exec "$home" python3 "$here/lab.py" add-mapping 192.168.77.1 27015 192.168.77.10 27015 "Game server"
    add_namespace "$tv"
    add_namespace "$cam"
    attach "$tv" p-tv 192.168.77.20
    attach "$cam" p-cam 192.168.77.30
    start tv-mdns "$tv" python3 "$here/lab.py" mdns 192.168.77.20 _googlecast._tcp "Living Room TV"
    start tv-ssdp "$tv" python3 "$here/lab.py" ssdp 192.168.77.20 urn:dial-multiscreen-org:service:dial:1 "Linux/4.9 UPnP/1.0 Cast/1.0"
    start cam-mdns "$cam" python3 "$here/lab.py" mdns 192.168.77.30 _rtsp._tcp "Front Door Camera"
    start cam-ssdp "$cam" python3 "$here/lab.py" ssdp 192.168.77.30 urn:schemas-upnp-org:device:DigitalSecurityCamera:1 "Linux UPnP/1.0 IPCam/2.0"
  else
    start http "$router" python3 "$here/lab.py" http-admin 80 redirect
    wait_for_port "$router" 80
  fi
  # The responders bind their multicast sockets as they start.
  sleep 0.5
}

case "$action" in
  up) up "${3:?a scenario is required: exposed or quiet}" ;;
  down) down ;;
  *) echo "usage: home-lab.sh up ID exposed|quiet | down ID" >&2; exit 2 ;;
esac
