# The "IPv4 internet" of the 464XLAT suite and bench (sourced after lib.sh):
# a network namespace joined to the host by a veth, IPv4 only, with an HTTP
# server, a UDP echo service, an iperf3 server (bench) and a DNS server that
# serves v4only.example as an A record only. nft counters in the namespace
# count what arrives from the forest's edge and from anywhere else. A guard
# table on the host lets the namespace exchange packets with the forest's
# host bridge only, never with the machine's uplink.
UP_ADDR=198.51.100.10
UP_DNS=${FOREST_TEST_DNS64:-198.51.100.53}
UP_HOST=198.51.100.254
UP_NAME=v4only.example

UP_ADDR6=fd00:5eed::10
UP_HOST6=fd00:5eed::fe

# xlat_upstream_up NETNS HOSTIF BRIDGE EDGE_IPV4. With UP_IPV6=1 (the bench)
# the namespace also gets $UP_ADDR6, routed by the host, as the plain-IPv6
# peer on the same hops.
xlat_upstream_up() {
  UPNS=$1 UPIF=$2 UPBR=$3 UPEDGE=$4
  UPDIR=$T/upstream
  UP_PIDS=()
  mkdir -p "$UPDIR/www"
  echo "hello from the IPv4-only upstream" >"$UPDIR/www/index.html"
  head -c 1400 /dev/urandom >"$UPDIR/www/body1400"
  head -c 2097152 /dev/urandom >"$UPDIR/www/blob"
  # http.server's own bind asks DNS for the address's name, which hangs in a
  # namespace without a resolver: bind without it.
  cat >"$UPDIR/www.py" <<'PY'
import functools, http.server, socketserver, sys
class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
Server((sys.argv[1], 80), handler).serve_forever()
PY
  cat >"$UPDIR/echo.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7))
while True:
    data, peer = s.recvfrom(65535)
    s.sendto(data, peer)
PY
  UP_FORWARD=$(sysctl -n net.ipv4.ip_forward)
  sysctl -qw net.ipv4.ip_forward=1
  local uplinks
  uplinks=$({ ip -o route show default; ip -o -6 route show default; } | sed -n 's/.* dev \([^ ]*\).*/"\1"/p' | sort -u | paste -sd, -)
  if [ -n "$uplinks" ]; then
    nft -f - <<NFT
table inet xlat_guard_$UPNS {
  chain forward {
    type filter hook forward priority -10; policy accept;
    iifname "$UPIF" oifname { $uplinks } drop
    oifname "$UPIF" iifname { $uplinks } drop
  }
}
NFT
  fi
  ip netns add "$UPNS"
  ip link add "$UPIF" type veth peer name eth0 netns "$UPNS"
  ip addr add "$UP_HOST/24" dev "$UPIF"
  ip link set "$UPIF" up
  local n="ip netns exec $UPNS"
  if [ "${UP_IPV6:-0}" = 1 ]; then
    ip addr add "$UP_HOST6/64" dev "$UPIF" nodad
    $n ip addr add "$UP_ADDR6/64" dev eth0 nodad
  else
    $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  fi
  $n ip link set lo up
  $n ip addr add "$UP_ADDR/24" dev eth0
  $n ip addr add "$UP_DNS/24" dev eth0
  $n ip link set eth0 up
  $n ip route add default via "$UP_HOST"
  [ "${UP_IPV6:-0}" = 1 ] && $n ip -6 route add default via "$UP_HOST6"
  $n nft -f - <<NFT
table inet upstream {
  counter from_edge {}
  counter from_elsewhere {}
  counter ipv6 {}
  chain input {
    type filter hook input priority 0; policy accept;
    meta nfproto ipv6 counter name ipv6
    iifname "lo" accept
    ip saddr $UPEDGE counter name from_edge accept
    counter name from_elsewhere
  }
}
NFT
  ip netns exec "$UPNS" python3 "$UPDIR/www.py" "$UP_ADDR" "$UPDIR/www" >"$UPDIR/http.log" 2>&1 &
  UP_PIDS+=($!)
  ip netns exec "$UPNS" python3 "$UPDIR/echo.py" "$UP_ADDR" >"$UPDIR/echo.log" 2>&1 &
  UP_PIDS+=($!)
  ip netns exec "$UPNS" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces --listen-address="$UP_DNS" \
    --local=/example/ --host-record="$UP_NAME,$UP_ADDR" --log-queries --log-facility="$UPDIR/dns.log" \
    >/dev/null 2>&1 &
  UP_PIDS+=($!)
  if command -v iperf3 >/dev/null; then
    ip netns exec "$UPNS" iperf3 -s -B "$UP_ADDR" >"$UPDIR/iperf3.log" 2>&1 &
    UP_PIDS+=($!)
    if [ "${UP_IPV6:-0}" = 1 ]; then
      ip netns exec "$UPNS" iperf3 -s -p 5202 -B "$UP_ADDR6" >"$UPDIR/iperf3-6.log" 2>&1 &
      UP_PIDS+=($!)
    fi
  fi
  local i
  for i in $(seq 1 50); do
    ip netns exec "$UPNS" curl -sf "http://$UP_ADDR/" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "xlat_upstream_up: the upstream HTTP server did not come up" >&2
  return 1
}

# xlat_edge_ipv4 TOPOLOGY: the first edge root's IPv4 on the host bridge.
xlat_edge_ipv4() {
  "${FOREST:?}" plan --json "$1" |
    python3 -c 'import json,sys; print([n for n in json.load(sys.stdin)["nodes"] if n["edge"]][0]["egress_ipv4"].split("/")[0])'
}

# xlat_upstream_counter NAME: packets counted in the namespace.
xlat_upstream_counter() {
  ip netns exec "$UPNS" nft list counter inet upstream "$1" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

xlat_upstream_down() {
  local p
  for p in "${UP_PIDS[@]:-}"; do [ -z "$p" ] || kill "$p" 2>/dev/null || true; done
  for p in "${UP_PIDS[@]:-}"; do [ -z "$p" ] || wait "$p" 2>/dev/null || true; done
  if [ -n "${UPNS:-}" ]; then
    ip netns del "$UPNS" 2>/dev/null || true
    nft delete table inet "xlat_guard_$UPNS" 2>/dev/null || true
  fi
  [ -z "${UPIF:-}" ] || ip link del "$UPIF" 2>/dev/null || true
  [ -z "${UP_FORWARD:-}" ] || sysctl -qw net.ipv4.ip_forward="$UP_FORWARD"
  return 0
}
