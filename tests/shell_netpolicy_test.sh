#!/usr/bin/env bash
# forest shell's network modes (src/shell/netpolicy.h) against real traffic,
# without Incus. Network namespaces this test creates (fnp<pid><x>):
#   r  the router, standing in for the host: forwards, loads the rendered
#      table; 10.203.32.1 towards the jails, fd00:5e11::1 towards the helper;
#      listens on tcp 53/2222/8443, udp 53
#   a  jail A: 10.203.32.2/24, fd00:5e00:1::1 in its prefix fd00:5e00:1::/48
#   b  jail B: 10.203.32.3/24, fd00:5e00:2::1 in fd00:5e00:2::/48
#   l  the host's LAN: 192.168.77.1/24, fd00:77::1/64
#   i  "the internet": 198.51.100.10 and .11/24, 2001:db8:100::10/64
#   h  the helper: fd00:5e11::53/64, tcp 53/8053/9000, udp 53
# each joined to r by its own veth (the router proxies ARP between the
# jails, so they share one /24 as on the bridge). Small python3 servers
# answer tcp ("hi") and udp (echo); probes tell open / refused / timeout.
# Usage: FOREST_NETPOLICY_RENDER=<build>/tests/shell_netpolicy_render $0
# (or the path as the first argument). Needs root; exits 77 (skip) without.
set -euo pipefail
RENDER=${FOREST_NETPOLICY_RENDER:-${1:-}}
skip() { echo "shell_netpolicy_test: SKIP: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nftables)"
for tool in ip nft python3 ping; do command -v "$tool" >/dev/null || skip "$tool is not installed"; done
[ -x "$RENDER" ] || { echo "shell_netpolicy_test: set FOREST_NETPOLICY_RENDER to the shell_netpolicy_render binary" >&2; exit 1; }
PY=$(python3 -c 'import sys; print(sys.executable)')

p=fnp$$
R=${p}r A=${p}a B=${p}b L=${p}l I=${p}i H=${p}h
T=$(mktemp -d "${TMPDIR:-/tmp}/forest-np.XXXXXX")
made=() pids=()
failures=0 checks=0
cleanup() {
  local pid ns
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${made[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "not ok - setup failed at line $LINENO" >&2' ERR

inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
pass() { checks=$((checks + 1)); echo "ok - $*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); echo "not ok - $*"; }

# --- servers and probes --------------------------------------------------
cat >"$T/server.py" <<'EOF'
# server.py tcp:PORT|udp:PORT...: dual-stack listeners; tcp says "hi", udp echoes.
import selectors, socket, sys
sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    proto, port = spec.split(":")
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", int(port)))
    if proto == "tcp":
        s.listen(16)
    sel.register(s, selectors.EVENT_READ, proto)
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        try:
            if key.data == "tcp":
                c, _ = s.accept()
                c.sendall(b"hi\n")
                c.close()
            else:
                data, peer = s.recvfrom(512)
                s.sendto(data, peer)
        except OSError:
            pass
EOF
cat >"$T/probe.py" <<'EOF'
# probe.py tcp|udp HOST PORT: prints open, refused, unreachable or timeout.
import errno, socket, sys
proto, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.settimeout(3)
try:
    s.connect((host, port))
    if proto == "tcp":
        ok = s.recv(16) == b"hi\n"
    else:
        s.send(b"ping")
        ok = s.recv(16) == b"ping"
    print("open" if ok else "garbled")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
except OSError as e:
    print("unreachable" if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EACCES, errno.EPERM)
          else "error:" + errno.errorcode.get(e.errno, str(e.errno)))
EOF
serve() {  # serve NS SPEC...: starts server.py in NS, waits until it listens.
  local ns=$1 log="$T/server-$1.log" _; shift
  ip netns exec "$ns" "$PY" "$T/server.py" "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 50); do grep -qs ready "$log" && return 0; sleep 0.1; done
  cat "$log" >&2
  return 1
}
# expect WANT NS PROTO HOST PORT: one connection attempt from NS.
expect() {
  local want=$1 ns=$2 proto=$3 host=$4 port=$5 got
  got=$(inns "$ns" "$PY" "$T/probe.py" "$proto" "$host" "$port" 2>&1) || true
  if [ "$got" == "$want" ]; then pass "$phase: ${ns#"$p"} -> $proto $host $port: $got"
  else fail "$phase: ${ns#"$p"} -> $proto $host $port: expected $want, got $got"; fi
}
# expect_ping ok|fail NS HOST
expect_ping() {
  local want=$1 ns=$2 host=$3 got=fail
  inns "$ns" ping -n -c 1 -W 2 "$host" >/dev/null 2>&1 && got=ok
  if [ "$got" == "$want" ]; then pass "$phase: ${ns#"$p"} ping $host: $got"
  else fail "$phase: ${ns#"$p"} ping $host: expected $want, got $got"; fi
}

# --- namespaces ----------------------------------------------------------
for ns in "$R" "$A" "$B" "$L" "$I" "$H"; do
  ip netns add "$ns"
  made+=("$ns")
  inns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$ns" link set lo up
done
inns "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# link X: veth ${p}rX in the router, ${p}X0 in namespace ${p}X.
link() {
  ip link add "${p}r$1" netns "$R" type veth peer name "${p}${1}0" netns "$p$1"
  ip -n "$R" link set "${p}r$1" up
  ip -n "$p$1" link set "${p}${1}0" up
}
for x in a b l i h; do link "$x"; done
jail() {  # jail X V4 V6ADDR V6PREFIX
  local x=$1 dev="${p}${1}0" r="${p}r$1"
  ip -n "$R" addr add 10.203.32.1/32 dev "$r"
  ip -n "$R" addr add fe80::1/64 dev "$r" nodad
  ip -n "$R" route add "$2/32" dev "$r"
  ip -n "$R" -6 route add "$4" dev "$r"
  inns "$R" sysctl -qw "net.ipv4.conf.$r.proxy_arp=1"
  ip -n "$p$x" addr add "$2/24" dev "$dev"
  ip -n "$p$x" addr add "$3/128" dev "$dev" nodad
  ip -n "$p$x" route add default via 10.203.32.1
  ip -n "$p$x" -6 route add default via fe80::1 dev "$dev"
}
jail a 10.203.32.2 fd00:5e00:1::1 fd00:5e00:1::/48
jail b 10.203.32.3 fd00:5e00:2::1 fd00:5e00:2::/48
ip -n "$R" addr add 192.168.77.254/24 dev "${p}rl"
ip -n "$R" addr add fd00:77::fe/64 dev "${p}rl" nodad
ip -n "$L" addr add 192.168.77.1/24 dev "${p}l0"
ip -n "$L" addr add fd00:77::1/64 dev "${p}l0" nodad
ip -n "$L" route add default via 192.168.77.254
ip -n "$L" -6 route add default via fd00:77::fe
ip -n "$R" addr add 198.51.100.1/24 dev "${p}ri"
ip -n "$R" addr add 2001:db8:100::1/64 dev "${p}ri" nodad
ip -n "$I" addr add 198.51.100.10/24 dev "${p}i0"
ip -n "$I" addr add 198.51.100.11/24 dev "${p}i0"
ip -n "$I" addr add 2001:db8:100::10/64 dev "${p}i0" nodad
ip -n "$I" route add default via 198.51.100.1
ip -n "$I" -6 route add default via 2001:db8:100::1
ip -n "$R" addr add fd00:5e11::1/64 dev "${p}rh" nodad
ip -n "$H" addr add fd00:5e11::53/64 dev "${p}h0" nodad
ip -n "$H" -6 route add default via fd00:5e11::1

serve "$R" tcp:53 udp:53 tcp:2222 tcp:8443
serve "$A" tcp:80
serve "$B" tcp:80
serve "$L" tcp:80
serve "$I" tcp:80
serve "$H" tcp:53 udp:53 tcp:8053 tcp:9000
trap - ERR

# --- the policy ----------------------------------------------------------
# load A_MODE [A_ALLOW4]: renders the table (jail B restricted) and loads it.
load() {
  local allow4=${2:-}
  cat >"$T/in.json" <<EOF
{"table": "forest-shell",
 "plumbing": {"host_ipv4": "10.203.32.1", "host_ipv6": "fd00:5e11::1", "helper_ipv6": "fd00:5e11::53"},
 "jails": [
  {"name": "jail-a", "mode": "$1", "ipv4": "10.203.32.2", "ipv6": ["fd00:5e00:1::/48"],
   "allow4": [${allow4:+\"$allow4\"}], "allow6": []},
  {"name": "jail-b", "mode": "restricted", "ipv4": "10.203.32.3", "ipv6": ["fd00:5e00:2::/48"]}]}
EOF
  "$RENDER" <"$T/in.json" >"$T/$1.nft"
  if inns "$R" nft -f "$T/$1.nft" 2>"$T/nft.err"; then pass "$1: the rendered table loads"
  else fail "$1: the rendered table loads: $(cat "$T/nft.err")"; fi
}

# Without the table everything routes: the refusals below come from it.
phase=baseline
expect open "$A" tcp 192.168.77.1 80
expect open "$A" tcp fd00:77::1 80
expect open "$A" tcp 10.203.32.3 80
expect open "$A" tcp fd00:5e00:2::1 80
expect open "$A" tcp 10.203.32.1 2222
expect open "$A" tcp fd00:5e11::53 9000
expect open "$A" tcp 198.51.100.11 80
expect open "$A" tcp 2001:db8:100::10 80
expect_ping ok "$A" 192.168.77.1
expect_ping ok "$A" fd00:77::1
expect_ping ok "$A" 10.203.32.3

phase=restricted
load restricted
expect open "$A" tcp 198.51.100.10 80
expect open "$A" tcp 2001:db8:100::10 80
expect_ping ok "$A" 198.51.100.10
expect_ping ok "$A" 2001:db8:100::10
expect refused "$A" tcp 192.168.77.1 80
expect refused "$A" tcp fd00:77::1 80
expect_ping fail "$A" 192.168.77.1
expect_ping fail "$A" fd00:77::1
expect refused "$A" tcp 10.203.32.3 80
expect refused "$A" tcp fd00:5e00:2::1 80
expect refused "$B" tcp 10.203.32.2 80
expect_ping fail "$A" 10.203.32.3
expect open "$A" tcp fd00:5e11::53 8053
expect open "$A" tcp fd00:5e11::53 53
expect open "$A" udp fd00:5e11::53 53
expect refused "$A" tcp fd00:5e11::53 9000
expect_ping ok "$A" fd00:5e11::53
# The host itself (input hook): DNS on its IPv4 and Incus https on its IPv6 only.
expect open "$A" tcp 10.203.32.1 53
expect open "$A" udp 10.203.32.1 53
expect refused "$A" tcp 10.203.32.1 2222
expect refused "$A" tcp 10.203.32.1 8443
expect open "$A" tcp fd00:5e11::1 8443
expect refused "$A" tcp fd00:5e11::1 2222
expect refused "$A" tcp fd00:5e11::1 53
expect refused "$A" tcp 192.168.77.254 53
expect_ping ok "$A" 10.203.32.1
# Only jail sources are judged: the host and its LAN reach jail services.
expect open "$R" tcp 10.203.32.2 80
expect open "$R" tcp fd00:5e00:1::1 80
expect open "$L" tcp 10.203.32.2 80
expect open "$L" tcp fd00:5e00:1::1 80
expect open "$I" tcp 192.168.77.1 80

phase=allowlist
load allowlist 198.51.100.10
expect open "$A" tcp 198.51.100.10 80
expect refused "$A" tcp 198.51.100.11 80
expect refused "$A" tcp 2001:db8:100::10 80
expect refused "$A" tcp 192.168.77.1 80
expect refused "$A" tcp fd00:77::1 80
expect refused "$A" tcp 10.203.32.3 80
expect open "$A" tcp fd00:5e11::53 8053
expect open "$A" tcp 10.203.32.1 53
expect refused "$A" tcp 10.203.32.1 2222
expect open "$B" tcp 198.51.100.11 80
expect open "$R" tcp 10.203.32.2 80

phase=open
load open
expect open "$A" tcp 192.168.77.1 80
expect open "$A" tcp fd00:77::1 80
expect open "$A" tcp 198.51.100.11 80
expect open "$A" tcp 2001:db8:100::10 80
expect refused "$A" tcp 10.203.32.3 80
expect refused "$A" tcp fd00:5e00:2::1 80
expect refused "$A" tcp 10.203.32.1 2222
expect refused "$B" tcp 192.168.77.1 80

# Bad input renders text nft refuses whole: the loaded table stays.
phase=refusal
echo '{"table": "forest-shell", "jails": [{"name": "jail-a", "ipv4": "10.203.32.300"}]}' | "$RENDER" >"$T/bad.nft"
if inns "$R" nft -f "$T/bad.nft" 2>/dev/null; then fail "$phase: nft refuses the text for bad input"
else pass "$phase: nft refuses the text for bad input"; fi
expect open "$A" tcp 192.168.77.1 80
expect refused "$A" tcp 10.203.32.3 80

echo "# $checks checks, $failures failures"
[ "$failures" -eq 0 ]
