#!/usr/bin/env bash
# bench/nested_launch.sh BUILD_DIR: `incus launch` of the workload image on
# the host (in the forest's project) against the same launch inside c0
# (depth 1), c0-2 (depth 2) and c0-2-1 (depth 3), in one run, each level's
# Incus on its own pool (btrfs at every level when the host's is). Per level
# R launches (FOREST_BENCH_R, default 3): the first may include unpacking the
# image into that level's pool once (none there yet: "first"), the others
# are what every later launch costs (p50). Prints each level's driver,
# figures and the ratio to the host. Needs root and incusd;
# FOREST_BENCH_REUSE=<topology> uses a source chain that is already up.
set -euo pipefail
build=${1:?usage: bench/nested_launch.sh BUILD_DIR}
forest="$build/forest"
src=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/forest-bench.XXXXXX)
. "$src/tests/forest_tests.sh"
R=${FOREST_BENCH_R:-3}
levels=(host c0 c0-2 c0-2-1)
# at LEVEL CMD...: CMD on the host (in the forest's project) or in the node.
at() {
  local level=$1; shift
  if [ "$level" = host ]; then incus --project "$project" "$@"; else "$forest" exec "$level" -- incus "$@"; fi
}
# q LEVEL PATH: `incus query PATH` there (query takes no --project).
q() {
  if [ "$1" = host ]; then incus query "$2"; else "$forest" exec "$1" -- incus query "$2"; fi
}
# sh_at LEVEL SCRIPT: sh -c SCRIPT on the host or in the node.
sh_at() {
  if [ "$1" = host ]; then sh -c "$2"; else "$forest" exec "$1" -- sh -c "$2"; fi
}
hostnet="blb$(printf '%04x' $((RANDOM)))"
made=()
cleanup() {
  set +e
  incus network delete "$hostnet" >/dev/null 2>&1
  for m in "${made[@]}"; do at "${m%%:*}" delete -f "${m#*:}" >/dev/null 2>&1; done
  forest_bench_chain_down "$forest"
  rm -rf "$T"
}
trap cleanup EXIT
forest_bench_chain "$forest" bl
project="forest-$(sed -n 's/^name: //p' "$topo" | sed -n 1p)"
incus network create "$hostnet" ipv4.address=none ipv6.address=none ipv4.nat=false ipv6.nat=false >/dev/null

printf '== incus launch of the workload image (ms; first, then p50 of %d)\n' $((R - 1))
printf '  %-8s %-6s %8s %8s  %s\n' level pool first p50 "p50 / host"
host_p50=""
# The workload image by fingerprint: nodes hold what they pulled from their
# parent under the same one.
fp=$(incus query "/1.0/images/aliases/forest-workload?project=$project" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target"])')
for level in "${levels[@]}"; do
  pool=$(at "$level" profile device get default root pool 2>/dev/null || echo default)
  driver=$(q "$level" "/1.0/storage-pools/$pool" | python3 -c 'import json,sys; print(json.load(sys.stdin)["driver"])')
  # Timed where it runs (no `forest exec` hop in the figure). On the host
  # the forest's project has no NIC in its default profile: the launch gets
  # one on an address-less bridge of the bench's own (L2 only, nothing
  # routed), as the nodes' launches get eth0 on incusbr0.
  args="" net=""
  [ "$level" = host ] && args="--project $project" net="-n $hostnet"
  times=()
  for i in $(seq 1 "$R"); do
    n="bl-$level-$i"
    made+=("$level:$n")
    times+=("$(sh_at "$level" "t=\$(date +%s%N); incus $args launch $fp $n -s $pool $net >/dev/null || exit 1; \
      echo \$(( (\$(date +%s%N) - t) / 1000000 )); incus $args delete -f $n >/dev/null")")
  done
  p50=$(printf '%s\n' "${times[@]:1}" | sort -n | python3 -c 'import sys; v=[int(x) for x in sys.stdin]; print(v[(len(v)-1)//2])')
  [ "$level" = host ] && host_p50=$p50
  printf '  %-8s %-6s %8s %8s  %s\n' "$level" "$driver" "${times[0]}" "$p50" \
    "$(python3 -c "print(f'{$p50 / max($host_p50, 1):.2f}x')")"
done
