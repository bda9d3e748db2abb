# Sourced by tests/trust_broker_test.sh and the helper benches (bench/sign_csr.sh,
# bench/dns_under_publish.sh): two network
# namespaces of the caller's own joined by a veth, nothing else reachable.
#   $hns: the helper, fd00:f00d::53/64
#   $nns: a node c0-2-1 (uplink fd00:1100:0:1::1, the default source towards
#         the helper), plus c0's uplink fd00:f00d:0:1::1 to publish from and
#         any extra /128s given as arguments (other callers)
# trust_netns_up PREFIX [ADDR...]; trust_topology DIR writes the plain chain
# c0 → c0-2 → c0-2-1 those addresses belong to; trust_helper_start runs
# forestd --role helper there; trust_netns_down stops it and removes both
# namespaces.
trust_netns_up() {
  local prefix=$1 tag a p; shift
  tag=$(printf '%04x' $((RANDOM)))
  hns="${prefix}h$tag" nns="${prefix}n$tag"
  ip netns add "$hns"
  ip netns add "$nns"
  ip -n "$hns" link set lo up
  ip -n "$nns" link set lo up
  ip link add "h$tag" netns "$hns" type veth peer name "n$tag" netns "$nns"
  ip -n "$hns" link set "h$tag" up
  ip -n "$nns" link set "n$tag" up
  ip -n "$hns" addr add fd00:f00d::53/64 dev "h$tag" nodad
  for a in fd00:1100:0:1::1 fd00:f00d:0:1::1 "$@"; do ip -n "$nns" addr add "$a/128" dev "n$tag" nodad; done
  ip -n "$nns" -6 route add fd00:f00d::/64 dev "n$tag" src fd00:1100:0:1::1
  for p in fd00:1000::/20 fd00:f00d:0:1::/64; do ip -n "$hns" -6 route add "$p" dev "h$tag"; done
}
# trust_topology DIR: DIR/topology.yaml, the forest named $hns.
trust_topology() {
  mkdir -p "$1"
  printf 'version: 1\nname: %s\nroots:\n  - name: c0\n    children:\n      - name: c0-2\n        slot: 1\n        children:\n          - name: c0-2-1\n' "$hns" >"$1/topology.yaml"
}
# trust_helper_start DIR STATE LOG [WRAPPER...]: forestd --role helper in
# $hns (through WRAPPER, e.g. taskset -c 0) until /healthz answers from $nns;
# sets $pid. Every wrapper execs the next, so $pid is forestd's own pid (a
# shell function in between would make kill miss forestd).
trust_helper_start() {
  local dir=$1 state=$2 log=$3 _
  shift 3
  "$@" ip netns exec "$hns" "${FORESTD:?}" --role helper --dir "$dir" --state "$state" --root-lease-seconds 3600 >>"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 50); do
    ip netns exec "$nns" curl -sf "http://[fd00:f00d::53]:8053/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$log" >&2
  return 1
}
trust_netns_down() {
  if [ -n "${pid:-}" ]; then
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    pid=""
  fi
  [ -n "${hns:-}" ] && ip netns del "$hns" 2>/dev/null
  [ -n "${nns:-}" ] && ip netns del "$nns" 2>/dev/null
  return 0
}
