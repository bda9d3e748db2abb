#!/usr/bin/env bash
# 464XLAT on a real forest (issue 6 acceptance). The test's "IPv4 internet"
# is a namespace it makes (tests/xlat_upstream.sh): an IPv4-only HTTP server,
# UDP echo and a DNS name served only as an A record, reachable only through
# the root's IPv4 egress. From a plain workload under c0-2-1 and from node
# c0-2 itself: the name (DNS64 + NAT64), the IPv4 literal (CLAT + NAT64), UDP
# echo, a 1400-byte body, a 2 MiB body and a 1472-byte datagram; counters in
# the namespace show every packet came from the edge. `forest doctor NODE`
# checks the sidecar and the edge; xlat down/up and a node restart rebuild
# it; deleting a node leaves nothing behind in its parent.
# Needs root and a running incusd. FOREST_XLAT_REUSE=<topology file> runs the
# checks against a forest that is already up (developer aid).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
. "$(dirname "$0")/xlat_upstream.sh"
forest_tests_need_incus
for tool in dnsmasq nft python3 kdig; do
  command -v "$tool" >/dev/null || { echo "forest_xlat_test: $tool missing; run scripts/setup" >&2; exit 1; }
done
W=plain

if [ -n "${FOREST_XLAT_REUSE:-}" ]; then
  topo=$FOREST_XLAT_REUSE
  export FOREST_STATE_DIR=${FOREST_STATE_DIR:-/var/lib/forest-tests}
  suffix=$(printf '%04x' $((RANDOM)))
  cleanup() { set +e; xlat_upstream_down; rm -rf "$T"; }
else
  suffix=$(printf '%04x' $((RANDOM)))
  name="xl$suffix"
  topo="$T/xlat.yaml"
  {
    forest_chain_head "$name" "fxl$suffix"
    cat <<EOF2
        children:
          - name: c0-2-1
            slot: 1
            workloads:
              - name: $W
EOF2
  } >"$topo"
  forest_tests_begin "$FOREST"
  cleanup() {
    set +e
    xlat_upstream_down
    "$FOREST" down "$topo" >"$T/down.log" 2>&1 || cat "$T/down.log" >&2
    rm -rf "$T"
  }
fi
trap cleanup EXIT
bridge=$(sed -n 's/^  bridge: //p' "$topo" | head -n1)

if [ -z "${FOREST_XLAT_REUSE:-}" ]; then
  section "up"
  forest_up "$topo" || { fail "up failed"; finish; }
fi
edge=$(xlat_edge_ipv4 "$topo")
section "the IPv4 internet: netns xu$suffix behind the host ($UP_ADDR, $UP_NAME as A only); the edge is $edge"
xlat_upstream_up "xu$suffix" "fxu$suffix" "$bridge" "$edge" || { fail "upstream namespace"; finish; }
at() { local n=$1; shift; "$FOREST" exec "$n" -- "$@"; }

section "doctor: the edge and the sidecars"
for n in c0 c0-2 c0-2-1; do
  # forestd builds the wiring right after it starts; give it a repair period.
  wait_for 60 "$n: forest doctor $n passes" "$FOREST" doctor "$n"
done
run_expect 0 "$FOREST" doctor c0-2-1
expect_contains "$out" "ok    netns clatns" "doctor lists the sidecar's namespace"
run_expect 0 "$FOREST" doctor c0 --json
expect_contains "$out" '"role": "edge"' "doctor --json names the edge role"

section "the edge: DNS64 answers AAAA under the NAT64 prefix for an A-only name"
expect_eq "$(at c0 getent ahostsv6 "$UP_NAME" | awk 'NR==1{print $1}')" "fd00:6464::c633:640a" "DNS64 synthesis at the edge"
expect_eq "$(at c0 getent ahostsv4 "$UP_NAME" | awk 'NR==1{print $1}')" "$UP_ADDR" "the A record passes through"

section "from the plain workload under c0-2-1"
udp_echo() {  # NODE SIZE: sends SIZE bytes to the echo service, up to 3 tries; prints "ok TRIES"
  at "$1" python3 -c '
import socket, sys, os
data = os.urandom(int(sys.argv[2]))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
for attempt in range(1, 4):
    s.sendto(data, (sys.argv[1], 7))
    try:
        got, _ = s.recvfrom(65535)
    except socket.timeout:
        continue
    print("ok" if got == data else "mismatch", attempt)
    sys.exit(0 if got == data else 1)
print("timeout"); sys.exit(1)' "$UP_ADDR" "$2"
}
xlat_diag() {  # NODE: what a CLAT node holds, for a failure's report
  echo "   --- $1: eth0, the sidecar, the unit, forestd's last xlat lines"
  at "$1" sh -c 'ip -6 -o addr show dev eth0; ip rule show | grep 203; ip route show table 203;
    ip netns exec clatns ip -6 neigh show proxy; ip netns exec clatns ip -o link show;
    ip netns exec clatns ip -6 route; systemctl show forest-clat -p ActiveState -p NRestarts -p ActiveEnterTimestamp;
    journalctl -u forestd --no-pager -o short-precise | grep -iE "xlat|clat|sweep" | tail -n 8; date' 2>&1 | sed 's/^/      /'
}
paths_from() {  # NODE WHAT
  local n=$1 what=$2 sum
  expect_eq "$(at "$n" getent ahostsv6 "$UP_NAME" | awk 'NR==1{print $1}')" "fd00:6464::c633:640a" "$what: $UP_NAME resolves to its DNS64 address"
  expect_contains "$(at "$n" curl -sS --max-time 10 "http://$UP_NAME/" 2>&1)" "hello from the IPv4-only upstream" "$what: curl by name (DNS64 + NAT64)"
  # The literal: once (CI, 2026-12-03) the first connection over the CLAT
  # timed out while the name had just worked and UDP over the same CLAT worked
  # a moment later. What the CLAT nodes hold is printed when that happens, and
  # the path then gets 30 s more: a path that stays down still fails.
  local lit
  lit=$(at "$n" curl -sS --max-time 10 "http://$UP_ADDR/" 2>&1) || true
  if [[ $lit != *"hello from the IPv4-only upstream"* ]]; then
    echo "   NOTE $what: the first connection to the IPv4 literal failed: $lit"
    xlat_diag c0-2-1; xlat_diag c0-2
    wait_for 30 "$what: the IPv4 literal after a first failure" sh -c "\"$FOREST\" exec $n -- curl -sf --max-time 5 http://$UP_ADDR/ >/dev/null"
    lit=$(at "$n" curl -sS --max-time 10 "http://$UP_ADDR/" 2>&1) || true
  fi
  expect_contains "$lit" "hello from the IPv4-only upstream" "$what: curl the IPv4 literal (CLAT + NAT64)"
  sum=$(sha256sum <"$UPDIR/www/body1400" | cut -d' ' -f1)
  expect_eq "$(at "$n" sh -c "curl -sS --max-time 10 http://$UP_ADDR/body1400 | sha256sum | cut -d' ' -f1")" "$sum" "$what: a 1400-byte body over IPv4"
  expect_eq "$(at "$n" sh -c "curl -sS --max-time 10 http://$UP_NAME/body1400 | sha256sum | cut -d' ' -f1")" "$sum" "$what: a 1400-byte body over DNS64"
  sum=$(sha256sum <"$UPDIR/www/blob" | cut -d' ' -f1)
  expect_eq "$(at "$n" sh -c "curl -sS --max-time 30 http://$UP_ADDR/blob | sha256sum | cut -d' ' -f1")" "$sum" "$what: 2 MiB of full-size segments over IPv4"
  expect_contains "$(udp_echo "$n" 64 2>&1)" "ok 1" "$what: UDP echo over IPv4"
  local big
  big=$(udp_echo "$n" 1472 2>&1)
  expect_contains "$big" "ok" "$what: a 1472-byte UDP datagram round-trips"
  echo "   $what: 1472-byte datagram: $big (a second try means Packet Too Big taught the sender the path MTU)"
}
paths_from "$W" "workload"
section "from node c0-2 itself"
paths_from c0-2 "node c0-2"
expect_contains "$(at c0-2 ip rule show)" "1200:	from 10.203.254.0/24 lookup 203" "c0-2 steers its LAN's IPv4 into table 203"

section "the egress policy hook refuses a denied address, then lets it pass again"
at c0 nft add element inet forest_edge egress_deny4 "{ $UP_ADDR }"
set +e; at "$W" curl -sS --max-time 5 "http://$UP_ADDR/" >/dev/null 2>&1; code=$?; set -e
[ "$code" -ne 0 ] && ok || fail "a denied address was reached"
at c0 nft delete element inet forest_edge egress_deny4 "{ $UP_ADDR }"
expect_contains "$(at "$W" curl -sS --max-time 10 "http://$UP_ADDR/" 2>&1)" "hello" "allowed again"

section "what reached the IPv4 internet came from the edge only"
from_edge=$(xlat_upstream_counter from_edge)
elsewhere=$(xlat_upstream_counter from_elsewhere)
six=$(xlat_upstream_counter ipv6)
echo "   packets from the edge $edge: $from_edge; from anywhere else: $elsewhere; IPv6: $six"
[ "${from_edge:-0}" -gt 100 ] && ok || fail "too few packets from the edge: $from_edge"
expect_eq "$elsewhere" "0" "no packet from anything but the edge"
expect_eq "$six" "0" "no IPv6 packet"
expect_contains "$(cat "$UPDIR/dns.log")" "query[A] $UP_NAME from $edge" "DNS64 asked the A-only name upstream from the edge"

section "xlat down removes the sidecar; up builds it again"
at c0-2 forest xlat down >/dev/null
expect_eq "$(at c0-2 ip netns list)" "" "no namespace after down"
expect_eq "$(at c0-2 sh -c 'ip rule show | grep -c "lookup 203" || true')" "0" "no rules after down"
run_expect 1 at c0-2 forest xlat status
at c0-2 forest xlat up >/dev/null
run_expect 0 at c0-2 forest xlat status
expect_contains "$(at c0-2 curl -sS --max-time 10 "http://$UP_ADDR/" 2>&1)" "hello" "c0-2 reaches IPv4 again"

section "restarting c0-2-1 brings its sidecar back"
at c0-2 incus restart c0-2-1
wait_for 120 "c0-2-1's sidecar after a restart" "$FOREST" doctor c0-2-1
before=$failures
wait_for 60 "c0-2-1 reaches the IPv4 literal after a restart" at c0-2-1 curl -sf --max-time 5 "http://$UP_ADDR/"
if [ "$failures" -gt "$before" ]; then  # what the path held (CI, 2026-12-04: down for 60 s)
  xlat_diag c0-2-1; xlat_diag c0-2; xlat_diag c0
  at c0-2-1 curl -sS --max-time 5 "http://$UP_ADDR/" 2>&1 | sed 's/^/   now: /'
fi

section "deleting c0-2-1 leaves nothing behind in c0-2"
at c0-2 incus delete -f c0-2-1
left=$(at c0-2 sh -c "ip -6 route; ip -6 neigh show proxy; ip rule" | grep -E "fd00:1110:|fd00:1100:0:1::(1|c1a7)" || true)
expect_eq "$left" "" "no routes, neighbours or rules for c0-2-1 in c0-2"
expect_eq "$(at c0-2 ip -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1 | sort | tr '\n' ' ')" "clatlan-main eth0 " "c0-2's only veths are its own uplink and sidecar leg"
expect_eq "$(at c0-2 ip netns list | awk '{print $1}')" "clatns" "c0-2 holds only its own namespace"
finish
