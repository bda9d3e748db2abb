#!/usr/bin/env bash
# forestd --role helper on real sockets, inside a network namespace this test
# creates (holding the helper address and a root's uplink address): a root
# publishes its export over HTTP, kdig resolves canonical names, aliases and
# PTRs over UDP and TCP; other callers and forged exports are refused while
# the last good view keeps resolving; garbage packets do not hurt; after
# kill -9 the saved view is served again.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "forestd_helper_test: needs root (network namespaces)" >&2; exit 1; fi
FORESTD=${FORESTD:-$(dirname "$FOREST")/forestd}
ns="fh$(printf '%04x' $((RANDOM)))"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add fd00:f00d::53/128 dev lo nodad
ip -n "$ns" addr add fd00:f00d:0:1::1/128 dev lo nodad   # c0's uplink
ip -n "$ns" addr add fd00:1000::1/128 dev lo nodad       # c0's own address: not its uplink
in_ns() { ip netns exec "$ns" "$@"; }

mkdir -p "$T/etc"
cat >"$T/etc/topology.yaml" <<EOF2
version: 1
name: $ns
roots:
  - name: c0
    children:
      - name: c0-2
        slot: 1
        children:
          - name: c0-2-1
            workloads:
              - name: app
EOF2
# A real root publishes every 10 s, which renews its lease; this suite
# publishes by hand, so its helper gets a long lease (LEASE to change it).
start() {
  ip netns exec "$ns" "$FORESTD" --role helper --dir "$T/etc" --state "$T/state" --root-lease-seconds "${LEASE:-3600}" >>"$T/forestd.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    in_ns curl -sf "http://[fd00:f00d::53]:8053/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$T/forestd.log" >&2
  return 1
}
start || { fail "forestd did not come up"; finish; }
ok
publish() {  # publish FILE SOURCE → prints the HTTP status
  in_ns curl -s -o "$T/reply" -w '%{http_code}' --interface "$2" -X POST --data-binary "@$1" \
    "http://[fd00:f00d::53]:8053/v1/publish-root-registration"
}
q() { in_ns kdig @fd00:f00d::53 +short "$@"; }
status() { in_ns kdig @fd00:f00d::53 "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n1; }

echo "== before any publication only the helper's names resolve"
expect_eq "$(q forest-dns.incus AAAA)" "fd00:f00d::53" "reserved helper name"
expect_eq "$(status c0.incus AAAA)" "NXDOMAIN" "c0 before publication"

echo "== a root publishes from its uplink"
cat >"$T/good.json" <<'EOF2'
{"schema":1,"source_node":"c0","records":[{"name":"c0.incus","address":"fd00:1000::1"},{"name":"c0-2.c0.incus","address":"fd00:1100::1"},{"name":"c0-2-1.c0-2.c0.incus","address":"fd00:1110::1"},{"name":"app.c0-2-1.c0-2.c0.incus","address":"fd00:1110::25"},{"name":"auth.app.c0-2-1.c0-2.c0.incus","address":"fd00:1110::25"}],"route":{"subtree":"fd00:1000::/20","next_hop":"fd00:f00d:0:1::1","ready":true,"uplink_interface":"eth0"},"descendants":[{"name":"c0-2.c0.incus","route":{"subtree":"fd00:1100::/24","next_hop":"fd00:1000:0:1::1","ready":true,"uplink_interface":"eth0"}},{"name":"c0-2-1.c0-2.c0.incus","route":{"subtree":"fd00:1110::/28","next_hop":"fd00:1100:0:1::1","ready":true,"uplink_interface":"eth0"}}]}
EOF2
expect_eq "$(publish "$T/good.json" fd00:f00d:0:1::1)" "200" "publication from c0's uplink"
expect_contains "$(cat "$T/reply")" '"changed":true' "first publication changes the view"
expect_eq "$(publish "$T/good.json" fd00:f00d:0:1::1)" "200" "same export again"
expect_contains "$(cat "$T/reply")" '"changed":false' "same export changes nothing"

echo "== names, aliases, NODATA vs NXDOMAIN, SOA/NS, PTR, TCP, EDNS"
expect_eq "$(q c0-2-1.c0-2.c0.incus AAAA)" "fd00:1110::1" "canonical name"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "short alias"
expect_eq "$(q auth.app.incus AAAA)" "fd00:1110::25" "service alias"
expect_eq "$(q APP.c0-2-1.C0-2.c0.incus. AAAA)" "fd00:1110::25" "case-insensitive, absolute"
expect_eq "$(status nope.incus AAAA)" "NXDOMAIN" "unknown name"
expect_eq "$(status c0.incus A)" "NOERROR" "NODATA for a name without A"
expect_eq "$(q c0.incus A)" "" "NODATA has no answer"
expect_contains "$(in_ns kdig @fd00:f00d::53 nope.incus AAAA)" "SOA" "negative answer carries the SOA"
expect_contains "$(q incus SOA)" "forest-dns.incus. hostmaster.forest-dns.incus." "SOA at the apex"
expect_eq "$(q incus NS)" "forest-dns.incus." "NS at the apex"
expect_eq "$(q -x fd00:1110::25 | sort | tr '\n' ' ')" "app.c0-2-1.c0-2.c0.incus. auth.app.c0-2-1.c0-2.c0.incus. " "PTR"
expect_eq "$(q +tcp c0-2-1.incus AAAA)" "fd00:1110::1" "over TCP"
expect_contains "$(in_ns kdig @fd00:f00d::53 +edns=0 +bufsize=4096 c0.incus AAAA)" "EDNS PSEUDOSECTION" "EDNS0 echoed"
expect_eq "$(status example.com AAAA)" "REFUSED" "outside .incus"
expect_contains "$(in_ns kdig @fd00:f00d::53 c0.incus AAAA)" "Flags: qr aa" "authoritative"

echo "== other callers and forged exports are refused; the last good view stays"
expect_eq "$(publish "$T/good.json" fd00:1000::1)" "403" "publication from a non-uplink address"
expect_contains "$(cat "$T/reply")" "is not the uplink of any root" "refusal says why"
sed 's/"c0-2.c0.incus","address":"fd00:1100::1"/"c0-2.c0.incus","address":"fd00:2000::1"/' "$T/good.json" >"$T/forged.json"
expect_eq "$(publish "$T/forged.json" fd00:f00d:0:1::1)" "422" "address outside the root's prefix"
expect_contains "$(cat "$T/reply")" "fd00:2000::1" "rejection names the address"
expect_eq "$(q c0-2.c0.incus AAAA)" "fd00:1100::1" "last good export still served"
echo '{"schema":1,' >"$T/broken.json"
expect_eq "$(publish "$T/broken.json" fd00:f00d:0:1::1)" "400" "malformed export"
expect_contains "$(cat "$T/forestd.log")" "rejected, last good kept" "rejection logged"

echo "== garbage packets do not hurt"
if in_ns python3 - <<'PY'
import os, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
for n in range(300):
    s.sendto(os.urandom(n % 80), ("fd00:f00d::53", 53))
# The probe uses its own socket and, like any DNS client, asks again when no
# reply comes: on a loaded machine the burst above can fill the server's
# receive buffer (or the first socket's) and the kernel drops datagrams.
p = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
p.settimeout(1)
for attempt in range(5):
    p.sendto(b"\x12\x34\x01\x00\x00\x05" + b"\x00" * 6, ("fd00:f00d::53", 53))  # 5 questions: FORMERR
    try:
        reply = p.recv(512)
        break
    except TimeoutError:
        if attempt == 4:
            raise
assert reply[:2] == b"\x12\x34", reply
assert reply[3] & 0xf == 1, reply
t = socket.create_connection(("fd00:f00d::53", 53))
t.sendall(b"\x00\x05hello")
t.close()
PY
then ok; else fail "FORMERR for a malformed query"; fi
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "still answering after garbage"
metrics=$(in_ns curl -s "http://[fd00:f00d::53]:8053/metrics")
expect_contains "$metrics" 'forestd_publish_total{result="forbidden"} 1' "metrics count refusals"
expect_contains "$metrics" 'forestd_dns_responses_total{rcode="FORMERR"}' "metrics count FORMERR"
view=$(in_ns curl -s "http://[fd00:f00d::53]:8053/v1/forest")
got=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print([n["aliases"] for n in d["names"] if n["name"]=="auth.app.c0-2-1.c0-2.c0.incus"][0])' "$view")
expect_eq "$got" "['auth.app.incus', 'auth.app.c0-2-1.incus', 'auth.app.c0-2-1.c0-2.incus']" "GET /v1/forest lists aliases"

echo "== kill -9: the saved view is back"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
start || fail "forestd did not restart"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "view restored after kill -9"

echo "== a root that stops publishing loses its names after the lease"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
LEASE=2 start || fail "forestd did not restart with a 2 s lease"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "the saved view gets a fresh lease at start"
wait_for 10 "c0's names withdrawn when the lease runs out" sh -c "[ \"\$(ip netns exec $ns kdig @fd00:f00d::53 c0.incus AAAA | sed -n 's/.*status: \([A-Z]*\).*/\1/p')\" = NXDOMAIN ]"
expect_contains "$(cat "$T/forestd.log")" "root c0 has not published for 2 s: its names are withdrawn" "the helper says why"
expect_eq "$(publish "$T/good.json" fd00:f00d:0:1::1)" "200" "c0 publishes again"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "and its names are back"
finish
