#!/usr/bin/env bash
# bench/xlat.sh BUILD_DIR: the 464XLAT path against plain IPv6 on the same
# hops. A forest c0 -> c0-2 with a plain workload under c0-2; the test's
# upstream namespace (tests/xlat_upstream.sh) serves iperf3 on its IPv4
# address and on an IPv6 address the host routes. From the workload:
#   IPv4 literal: workload -> c0-2 (CLAT, TAYGA in clatns) -> c0 (NAT64,
#                 TAYGA; masquerade) -> host bridge -> host -> namespace
#   plain IPv6:   workload -> c0-2 -> c0 -> host -> namespace
# iperf3 TCP throughput (FOREST_XLAT_SECONDS, default 5 s per direction, both
# directions) and ping round trips (FOREST_XLAT_PINGS, default 200 at 10 ms),
# printed side by side with the ratio xlat/ipv6.
# Needs root and incusd. FOREST_BENCH_REUSE=<topology> uses a forest that is
# already up (with a workload named bw under c0-2 and dns64_upstream set).
set -euo pipefail
build=${1:?usage: bench/xlat.sh BUILD_DIR}
FOREST="$build/forest"
FOREST_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
export FOREST FOREST_SOURCE_DIR
. "$FOREST_SOURCE_DIR/tests/lib.sh"
. "$FOREST_SOURCE_DIR/tests/forest_tests.sh"
. "$FOREST_SOURCE_DIR/tests/xlat_upstream.sh"
SECONDS_EACH=${FOREST_XLAT_SECONDS:-5}
PINGS=${FOREST_XLAT_PINGS:-200}
suffix=$(printf '%04x' $((RANDOM)))
UP_IPV6=1
if [ -n "${FOREST_BENCH_REUSE:-}" ]; then
  topo=$FOREST_BENCH_REUSE
  export FOREST_STATE_DIR=${FOREST_STATE_DIR:-/var/lib/forest-tests}
  cleanup() { set +e; xlat_upstream_down; rm -rf "$T"; }
else
  topo="$T/xlat-bench.yaml"
  {
    forest_chain_head "bx$suffix" "fbx$suffix"
    cat <<EOF2
        workloads:
          - name: bw
EOF2
  } >"$topo"
  forest_tests_begin "$FOREST"
  cleanup() {
    set +e
    xlat_upstream_down
    "$FOREST" down "$topo" >/dev/null 2>&1
    rm -rf "$T"
  }
fi
trap cleanup EXIT
if [ -z "${FOREST_BENCH_REUSE:-}" ]; then
  forest_up "$topo" >/dev/null || exit 1
fi
bridge=$(sed -n 's/^  bridge: //p' "$topo" | head -n1)
edge=$(xlat_edge_ipv4 "$topo")
xlat_upstream_up "xb$suffix" "fxb$suffix" "$bridge" "$edge"
at() { "$FOREST" exec bw -- "$@"; }
for i in $(seq 1 120); do
  at curl -sf --max-time 3 "http://$UP_ADDR/" >/dev/null 2>&1 && at ping -6 -c1 -W2 "$UP_ADDR6" >/dev/null 2>&1 && break
  [ "$i" = 120 ] && { echo "bench/xlat.sh: the workload reaches neither path within 120 s" >&2; exit 1; }
  sleep 1
done

mbps() {  # ADDR PORT [-R]: iperf3 TCP goodput in Mbit/s, as received
  at iperf3 -c "$1" -p "$2" -t "$SECONDS_EACH" -J ${3:-} |
    python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e6, 1))'
}
rtt() {  # ADDR: ping round trip, "avg p50 p99" in ms
  at ping -n -c "$PINGS" -i 0.01 "$1" | python3 -c '
import re, sys
v = sorted(float(m.group(1)) for m in re.finditer(r"time=([0-9.]+)", sys.stdin.read()))
if not v: print("nan nan nan"); sys.exit()
r = lambda q: v[min(len(v) - 1, max(0, int(round(q * len(v) + 0.5)) - 1))]
print("%.3f %.3f %.3f" % (sum(v) / len(v), r(0.5), r(0.99)))'
}
ratio() { python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b) if b else 'nan')" "$1" "$2"; }

echo "464XLAT vs plain IPv6, same hops (workload under c0-2 -> c0 -> host -> namespace); $SECONDS_EACH s per iperf3 run, $PINGS pings"
up4=$(mbps "$UP_ADDR" 5201); up6=$(mbps "$UP_ADDR6" 5202)
down4=$(mbps "$UP_ADDR" 5201 -R); down6=$(mbps "$UP_ADDR6" 5202 -R)
read -r a4 p504 p994 <<<"$(rtt "$UP_ADDR")"
read -r a6 p506 p996 <<<"$(rtt "$UP_ADDR6")"
printf '%-28s %12s %12s %8s\n' "" "CLAT+NAT64" "plain IPv6" "ratio"
printf '%-28s %12s %12s %8s\n' "TCP upload (Mbit/s)" "$up4" "$up6" "$(ratio "$up4" "$up6")"
printf '%-28s %12s %12s %8s\n' "TCP download (Mbit/s)" "$down4" "$down6" "$(ratio "$down4" "$down6")"
printf '%-28s %12s %12s %8s\n' "ping avg (ms)" "$a4" "$a6" "$(ratio "$a4" "$a6")"
printf '%-28s %12s %12s %8s\n' "ping p50 (ms)" "$p504" "$p506" "$(ratio "$p504" "$p506")"
printf '%-28s %12s %12s %8s\n' "ping p99 (ms)" "$p994" "$p996" "$(ratio "$p994" "$p996")"
