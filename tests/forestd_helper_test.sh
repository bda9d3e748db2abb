#!/usr/bin/env bash
# forestd --role helper on real sockets, inside a network namespace this test
# creates (holding the helper address and a root's uplink address): a root
# publishes its export over HTTP, kdig resolves canonical names, aliases and
# PTRs over UDP and TCP; other callers and forged exports are refused while
# the last good view keeps resolving; garbage packets do not hurt; after
# kill -9 the saved view is served again. Under abuse (issue 15): every
# malformed request gets a 4xx with a reason, callers are refused on the
# request head before a body is read, idle and slow connections are closed,
# and connection floods from workloads (one address, one /64, twenty /64s
# past the global limit) leave the host, the root and DNS over TCP served.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "forestd_helper_test: needs root (network namespaces)" >&2; exit 1; fi
FORESTD=${FORESTD:-$(dirname "$FOREST")/forestd}
ns="fh$(printf '%04x' $((RANDOM)))"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "${unbound_pid:-}" ] && kill "$unbound_pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" addr add fd00:f00d::53/128 dev lo nodad
ip -n "$ns" addr add fd00:f00d:0:1::1/128 dev lo nodad   # c0's uplink
ip -n "$ns" addr add fd00:1000::1/128 dev lo nodad       # c0's own address: not its uplink
ip -n "$ns" addr add fd00:f00d::1/128 dev lo nodad       # the host
ip -n "$ns" addr add fd00:1110::25/128 dev lo nodad      # a workload in c0-2-1
# 80 workload addresses in 20 /64s of c0-2-1's region, 4 in each.
for net in $(seq 1 20); do for h in 1 2 3 4; do echo "addr add fd00:1110:0:$(printf %x $((net + 16)))::$h/128 dev lo nodad"; done; done |
  ip -n "$ns" -batch -
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
  # The soft limit starts at systemd's default 1,024: forestd raises it to the hard one.
  ip netns exec "$ns" prlimit --nofile=1024:8192 "$FORESTD" --role helper --dir "$T/etc" --state "$T/state" --root-lease-seconds "${LEASE:-3600}" >>"$T/forestd.log" 2>&1 &
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

section "before any publication only the helper's names resolve"
expect_eq "$(q forest-dns.incus AAAA)" "fd00:f00d::53" "reserved helper name"
expect_eq "$(status c0.incus AAAA)" "NXDOMAIN" "c0 before publication"

section "a root publishes from its uplink"
cat >"$T/good.json" <<'EOF2'
{"schema":1,"source_node":"c0","records":[{"name":"c0.incus","address":"fd00:1000::1"},{"name":"c0-2.c0.incus","address":"fd00:1100::1"},{"name":"c0-2-1.c0-2.c0.incus","address":"fd00:1110::1"},{"name":"app.c0-2-1.c0-2.c0.incus","address":"fd00:1110::25"},{"name":"auth.app.c0-2-1.c0-2.c0.incus","address":"fd00:1110::25"}],"route":{"subtree":"fd00:1000::/20","next_hop":"fd00:f00d:0:1::1","ready":true,"uplink_interface":"eth0"},"descendants":[{"name":"c0-2.c0.incus","route":{"subtree":"fd00:1100::/24","next_hop":"fd00:1000:0:1::1","ready":true,"uplink_interface":"eth0"}},{"name":"c0-2-1.c0-2.c0.incus","route":{"subtree":"fd00:1110::/28","next_hop":"fd00:1100:0:1::1","ready":true,"uplink_interface":"eth0"}}]}
EOF2
expect_eq "$(publish "$T/good.json" fd00:f00d:0:1::1)" "200" "publication from c0's uplink"
expect_contains "$(cat "$T/reply")" '"changed":true' "first publication changes the view"
expect_eq "$(publish "$T/good.json" fd00:f00d:0:1::1)" "200" "same export again"
expect_contains "$(cat "$T/reply")" '"changed":false' "same export changes nothing"

section "names, aliases, NODATA vs NXDOMAIN, SOA/NS, PTR, TCP, EDNS"
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

section "DNS 0x20: the question comes back as asked; reverse negatives carry the reverse zone's SOA"
mixed=$(in_ns kdig +noidn @fd00:f00d::53 +timeout=2 C0-2-1.InCuS AAAA)  # IDN output would lower the case
expect_contains "$mixed" ";; C0-2-1.InCuS. " "the question is echoed in the case it was asked"
expect_contains "$mixed" "fd00:1110::1" "and answered without regard to case"
rev=$(in_ns kdig @fd00:f00d::53 +timeout=2 -x fd00:1110::99)
expect_contains "$rev" "status: NXDOMAIN" "an unknown address in the forest's prefix"
auth=$(sed -n '/AUTHORITY SECTION/,/^$/p' <<<"$rev")
expect_contains "$auth" "ip6.arpa." "the reverse NXDOMAIN has an authority section in ip6.arpa"
expect_contains "$auth" "SOA" "with the reverse zone's SOA (RFC 2308)"
# Unbound with use-caps-for-id randomises the case of every question and
# drops an answer whose question does not match; each lookup of a name it
# has not cached must take one query to the helper, not a run of re-asks.
ip -n "$ns" addr add fd00:f00d::54/128 dev lo nodad
mkdir -p "$T/unbound"
cat >"$T/unbound/unbound.conf" <<EOF2
server:
  interface: fd00:f00d::54
  port: 53
  do-ip4: no
  username: ""
  chroot: ""
  directory: "$T/unbound"
  pidfile: "$T/unbound/unbound.pid"
  use-syslog: no
  logfile: "$T/unbound/unbound.log"
  module-config: "iterator"
  use-caps-for-id: yes
  do-not-query-localhost: no
  access-control: ::/0 allow
  domain-insecure: "incus."
  domain-insecure: "ip6.arpa."
  local-zone: "d.f.ip6.arpa." nodefault
forward-zone:
  name: "incus."
  forward-addr: fd00:f00d::53
forward-zone:
  name: "d.f.ip6.arpa."
  forward-addr: fd00:f00d::53
remote-control:
  control-enable: no
EOF2
in_ns unbound -d -c "$T/unbound/unbound.conf" >"$T/unbound/out.log" 2>&1 &
unbound_pid=$!
wait_for 10 "unbound listens" sh -c "ip netns exec $ns kdig @fd00:f00d::54 +timeout=1 +retry=0 forest-dns.incus AAAA | grep -q 'status: NOERROR'"
dns_udp() { in_ns curl -s "http://[fd00:f00d::53]:8053/metrics" | awk '/^forestd_dns_queries_total\{transport="udp"\}/{print $2}'; }
before=$(dns_udp)
expect_eq "$(in_ns kdig @fd00:f00d::54 +short +timeout=3 auth.app.incus AAAA)" "fd00:1110::25" "a name through Unbound with use-caps-for-id"
expect_eq "$(in_ns kdig @fd00:f00d::54 +short +timeout=3 c0-2.c0.incus AAAA)" "fd00:1100::1" "a second name through Unbound"
expect_eq "$(in_ns kdig @fd00:f00d::54 +short +timeout=3 -x fd00:1110::25 | sort | head -n1)" "app.c0-2-1.c0-2.c0.incus." "a PTR through Unbound"
expect_eq "$(in_ns kdig @fd00:f00d::54 +timeout=3 nope.incus AAAA | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n1)" "NXDOMAIN" "a negative answer through Unbound"
asked=$(( $(dns_udp) - before ))
[ "$asked" -le 4 ] && ok || fail "Unbound asked the helper $asked times for 4 lookups (0x20 re-asks?)"
kill "$unbound_pid" 2>/dev/null; wait "$unbound_pid" 2>/dev/null || true; unbound_pid=""

section "other callers and forged exports are refused; the last good view stays"
expect_eq "$(publish "$T/good.json" fd00:1000::1)" "403" "publication from a non-uplink address"
expect_contains "$(cat "$T/reply")" "is not the uplink of any root" "refusal says why"
sed 's/"c0-2.c0.incus","address":"fd00:1100::1"/"c0-2.c0.incus","address":"fd00:2000::1"/' "$T/good.json" >"$T/forged.json"
expect_eq "$(publish "$T/forged.json" fd00:f00d:0:1::1)" "422" "address outside the root's prefix"
expect_contains "$(cat "$T/reply")" "fd00:2000::1" "rejection names the address"
expect_eq "$(q c0-2.c0.incus AAAA)" "fd00:1100::1" "last good export still served"
echo '{"schema":1,' >"$T/broken.json"
expect_eq "$(publish "$T/broken.json" fd00:f00d:0:1::1)" "400" "malformed export"
expect_contains "$(cat "$T/forestd.log")" "rejected, last good kept" "rejection logged"

section "garbage packets do not hurt"
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

section "malformed requests get a 4xx with a reason; callers are refused before the body is read"
cat >"$T/raw.py" <<'PY'
# raw.py SOURCE HEAD [--pad N] [--chunked N] [--wait S]: sends HEAD (\r\n
# escapes) from SOURCE, a header of N bytes before the blank line with
# --pad, then a chunked body of N bytes with --chunked, never a body
# otherwise; prints the status line answered (or "none") and the seconds
# until it came.
import socket, sys, time
src, head = sys.argv[1], sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
opts = dict(zip(sys.argv[3::2], sys.argv[4::2]))
if "--pad" in opts:
    head = head[:-2] + b"X-Pad: " + b"a" * int(opts["--pad"]) + b"\r\n\r\n"
s = socket.socket(socket.AF_INET6)
s.bind((src, 0))
s.connect(("fd00:f00d::53", 8053))
t0 = time.monotonic()
s.settimeout(float(opts.get("--wait", 5)))
try:
    s.sendall(head)
    if "--chunked" in opts:
        n = int(opts["--chunked"])
        s.sendall(b"%x\r\n" % n + b"b" * n + b"\r\n0\r\n\r\n")
except OSError:
    pass  # the answer may come while we are still sending
data = b""
try:
    while b"\r\n\r\n" not in data:
        got = s.recv(65536)
        if not got:
            break
        data += got
except OSError:
    pass
line = data.split(b"\r\n")[0].decode("latin-1") if data else "none"
allow = [h for h in data.split(b"\r\n") if h.lower().startswith(b"allow:")]
print(line + (" | " + allow[0].decode() if allow else ""), round(time.monotonic() - t0, 2))
PY
raw() { in_ns python3 "$T/raw.py" "$@"; }
status_of() { raw "$@" | cut -d' ' -f2; }
UP=fd00:f00d:0:1::1 WL=fd00:1110::25
# Slow and idle clients, checked at the end of this block: the first
# request head must be complete within 5 s, or the connection is closed.
raw "$WL" 'GET /healthz HTTP/1.1\r\nHost: h\r\n' --wait 9 >"$T/slow.out" &
slow=$!
in_ns python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6); s.bind(("fd00:1110::25", 0)); s.connect(("fd00:f00d::53", 8053))
t0 = time.monotonic(); s.settimeout(9); d = s.recv(100)
print(repr(d), round(time.monotonic() - t0, 1))' >"$T/idle.out" &
idle=$!
printf '{"schema":1,"source_node":"c0\xff","records":[]}' >"$T/utf8.json"
expect_eq "$(publish "$T/utf8.json" "$UP")" "400" "invalid UTF-8 in a publish body"
expect_contains "$(cat "$T/reply")" "ill-formed UTF-8" "the reason says what is wrong"
expect_eq "$(status_of "$UP" 'POST /v1/publish-root-registration HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n')" "400" "negative Content-Length"
expect_eq "$(status_of "$UP" 'GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n' --pad 1048576)" "431" "a 1 MiB header"
expect_eq "$(status_of "$UP" 'HELLO\r\n\r\n')" "400" "garbage request line"
expect_eq "$(status_of "$UP" 'GET /healthz HTTP/9.9\r\nHost: h\r\n\r\n')" "400" "unknown HTTP version"
expect_eq "$(status_of "$UP" 'POST /v1/publish-root-registration HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')" "400" "two Content-Lengths"
got=$(raw "$WL" 'POST /v1/publish-root-registration HTTP/1.1\r\nHost: h\r\nContent-Length: 33554432\r\n\r\n' --wait 3)
expect_eq "${got% *}" "HTTP/1.1 403 Forbidden" "a workload's 32 MiB publish is refused on its head (answer: $got)"
got=$(raw "$UP" 'POST /v1/publish-root-registration HTTP/1.1\r\nHost: h\r\nContent-Length: 20000000\r\n\r\n' --wait 3)
expect_eq "${got% *}" "HTTP/1.1 413 Payload Too Large" "the root's publish over 16 MiB, unread (answer: $got)"
expect_eq "$(status_of "$WL" 'POST /v1/sign-csr HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n' --wait 3)" "403" "sign-csr from a workload, on its head"
expect_eq "$(status_of fd00:1000::1 'POST /v1/sign-csr HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n' --chunked 100000)" "413" "a chunked CSR body over 64 KiB from a node"
expect_eq "$(raw "$WL" 'GET /v1/sign-csr HTTP/1.1\r\nHost: h\r\n\r\n' | sed 's/ [0-9.]*$//')" "HTTP/1.1 405 Method Not Allowed | Allow: POST" "wrong method: 405 with Allow"
expect_eq "$(status_of "$WL" 'GET /nope HTTP/1.1\r\nHost: h\r\n\r\n')" "404" "unknown endpoint"
expect_eq "$(status_of "$WL" 'GET /healthz HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n')" "413" "a body where none is taken"
wait "$slow" "$idle" || true
read -r code secs <<<"$(cat "$T/slow.out")"
expect_eq "$code" "none" "an incomplete request head is not answered ($(cat "$T/slow.out"))"
python3 -c "import sys; sys.exit(0 if 4.5 <= float(sys.argv[1]) <= 7 else 1)" "$secs" && ok || fail "closed after 5 s, not $secs s"
expect_contains "$(cat "$T/idle.out")" "b'' " "an idle connection is closed ($(cat "$T/idle.out"))"
python3 -c "import sys; sys.exit(0 if 4.5 <= float(sys.argv[1].split()[-1]) <= 7 else 1)" "$(cat "$T/idle.out")" && ok ||
  fail "idle connection closed after 5 s: $(cat "$T/idle.out")"

section "connection floods from workloads: the host, the root and DNS over TCP keep being served"
FLOOD="$FOREST_SOURCE_DIR/tests/conn_flood.py"
flood() {  # flood NAME PORT COUNT SECONDS SOURCE...: in the background until "ready"
  local name=$1 port=$2 count=$3 secs=$4 srcs=() a; shift 4
  for a in "$@"; do srcs+=(--source "$a"); done
  ip netns exec "$ns" python3 "$FLOOD" --host fd00:f00d::53 --port "$port" --count "$count" --seconds "$secs" \
    --status "$T/$name.status" "${srcs[@]}" >"$T/$name.out" 2>&1 &
  eval "${name}_pid=$!"
  for _ in $(seq 1 100); do grep -q '"event": "ready"' "$T/$name.out" 2>/dev/null && return 0; sleep 0.1; done
  fail "$name flood not ready: $(cat "$T/$name.out")"
}
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
served() {  # served WHAT: health from the host, publish from the root, DNS over TCP from the root, each within 2 s
  expect_eq "$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface fd00:f00d::1 http://[fd00:f00d::53]:8053/healthz)" "200" "$1: health from the host"
  expect_eq "$(in_ns curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface "$UP" -X POST --data-binary "@$T/good.json" http://[fd00:f00d::53]:8053/v1/publish-root-registration)" "200" "$1: publish from the root"
  expect_eq "$(in_ns kdig @fd00:f00d::53 -b "$UP" +tcp +short +timeout=2 +retry=0 c0-2-1.incus AAAA)" "fd00:1110::1" "$1: DNS over TCP"
}
flood one 8053 1100 20 "$WL"
flood onedns 53 200 20 "$WL"
served "1,100 idle connections from one workload"
expect_eq "$(field "$T/one.status" open)" "32" "one source holds 32 HTTP connections"
[ "$(field "$T/one.status" answered)" -gt 1000 ] && ok || fail "the rest were told 503: $(cat "$T/one.status")"
expect_eq "$(field "$T/onedns.status" open)" "16" "one source holds 16 DNS TCP connections"
expect_contains "$(raw "$WL" 'GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n')" "503 Service Unavailable" "the flooding workload itself gets 503"
kill "$one_pid" "$onedns_pid" 2>/dev/null; wait "$one_pid" "$onedns_pid" 2>/dev/null || true
sleep 0.3
nets=() ; for net in $(seq 1 20); do for h in 1 2 3 4; do nets+=("fd00:1110:0:$(printf %x $((net + 16)))::$h"); done; done
flood many 8053 2560 20 "${nets[@]}"
served "2,560 idle connections from 20 /64s"
expect_eq "$(field "$T/many.status" open)" "2048" "everyone together holds the global 2,048"
got=$(in_ns curl -s --max-time 2 --interface "$WL" http://[fd00:f00d::53]:8053/healthz)
expect_contains "$got" "too many connections in total" "a workload from another /64 is told so"
metrics=$(in_ns curl -s --max-time 2 --interface fd00:f00d::1 "http://[fd00:f00d::53]:8053/metrics")
kill "$many_pid" 2>/dev/null; wait "$many_pid" 2>/dev/null || true
expect_contains "$metrics" 'forestd_fd_limit{kind="soft"} 8192' "the soft descriptor limit was raised to the hard one"
expect_contains "$metrics" 'forestd_fd_limit{kind="hard"} 8192' "the hard limit is reported"
open=$(awk '/^forestd_connections_open\{listener="http"\}/{print $2}' <<<"$metrics")
[ "${open:-0}" -ge 2048 ] && [ "${open:-0}" -le 2304 ] && ok || fail "open HTTP connections counted (got '$open')"
fds=$(awk '/^forestd_fds_open /{print $2}' <<<"$metrics")
[ "${fds:-0}" -ge 2048 ] && ok || fail "open descriptors counted (got '$fds')"
for l in per_source global; do
  n=$(awk -v l="$l" '$1 == "forestd_connections_refused_total{listener=\"http\",limit=\"" l "\"}" {print $2}' <<<"$metrics")
  [ "${n:-0}" -gt 0 ] && ok || fail "refusals by the $l limit counted (got '$n')"
done
expect_contains "$metrics" 'forestd_connections_refused_total{listener="dns_tcp",limit="per_source"}' "DNS TCP refusals counted"
[ "$(awk '/^forestd_requests_malformed_total\{listener="http"\}/{print $2}' <<<"$metrics")" -ge 6 ] && ok || fail "malformed requests counted"
wait_for 10 "connections released after the flood" sh -c \
  "[ \"\$(ip netns exec $ns curl -s http://[fd00:f00d::53]:8053/metrics | awk '/^forestd_connections_open\\{listener=\"http\"\\}/{print \$2}')\" -le 2 ]"
served "after the floods"

section "kill -9: the saved view is back"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
start || fail "forestd did not restart"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "view restored after kill -9"

section "a root that stops publishing loses its names after the lease"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
LEASE=2 start || fail "forestd did not restart with a 2 s lease"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "the saved view gets a fresh lease at start"
wait_for 10 "c0's names withdrawn when the lease runs out" sh -c "[ \"\$(ip netns exec $ns kdig @fd00:f00d::53 c0.incus AAAA | sed -n 's/.*status: \([A-Z]*\).*/\1/p')\" = NXDOMAIN ]"
expect_contains "$(cat "$T/forestd.log")" "root c0 has not published for 2 s: its names are withdrawn" "the helper says why"
expect_eq "$(publish "$T/good.json" fd00:f00d:0:1::1)" "200" "c0 publishes again"
expect_eq "$(q c0-2-1.incus AAAA)" "fd00:1110::1" "and its names are back"
finish
