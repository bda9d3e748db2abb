#!/usr/bin/env bash
# bench/up_and_exec.sh BUILD_DIR: on real Incus, from cached images,
#  1. brings up the source chain and prints each level's bring-up time
#     (a node's subtree time minus its child's: the level's own cost);
#  2. measures exec latency of `forest exec` (our REST client, exec websockets)
#     against `incus exec` (the upstream client, websockets) on the same
#     container in the same run, and prints the ratio;
#  3. tears everything down, unless FOREST_BENCH_KEEP=PATH: then the forest
#     (with a plain workload bw under c0-2 for bench/xlat.sh) stays up and its
#     topology is written to PATH, for the benches that reuse it
#     (FOREST_BENCH_REUSE=PATH) and bench/kept_forest_down.sh PATH. CTest runs
#     them so: one bring-up for three benches.
# Needs root and incusd (scripts/setup). Prints figures; fails only when a step fails.
set -euo pipefail
build=${1:?usage: bench/up_and_exec.sh BUILD_DIR}
forest="$build/forest"
src=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/forest-bench.XXXXXX)
. "$src/tests/forest_tests.sh"
suffix=$(printf '%04x' $((RANDOM)))
name="bn$suffix"
topo="$T/chain.yaml"
sed -e "s/^name: source-chain/name: $name/" "$src/examples/source-chain.yaml" >"$topo"
printf 'dns64_upstream: %s\nhost:\n  bridge: fbn%s\n' "$FOREST_TEST_DNS64" "$suffix" >>"$topo"
keep=${FOREST_BENCH_KEEP:-}
if [ -n "$keep" ]; then
  rm -f "$keep"  # written only once the forest is up and measured
  # c0-2's own keys are 8 spaces in (c0-2-1's are 12).
  sed -i -e 's/^        slot: 1 .*/&\n        workloads:\n          - name: bw/' "$topo"
  grep -q '^          - name: bw$' "$topo" || { echo "bench/up_and_exec.sh: could not add bw under c0-2 in $topo" >&2; exit 1; }
fi
forest_tests_begin "$forest"
cleanup() {
  if [ -n "$keep" ] && [ -s "$keep" ]; then rm -rf "$T"; return; fi
  "$forest" down "$topo" >/dev/null 2>&1 || true; rm -rf "$T"
}
trap cleanup EXIT

# Images are built (or already cached) before the clock starts.
"$forest" image build >/dev/null
start=$(date +%s.%N)
"$forest" up --guard-uplink "$topo" >"$T/up.log" 2>&1 || { cat "$T/up.log" >&2; exit 1; }
end=$(date +%s.%N)
python3 -c "print(f'bring-up of the source chain from cached images: {$end - $start:.1f} s total')"
# timing lines: "<canonical> <secs>s" for each node's subtree.
grep -o 'timing: [^ ]* [0-9.]*' "$T/up.log" | awk '{print $2, $3}' >"$T/timing"
python3 - "$T/timing" <<'PY'
import sys
t = {}
for line in open(sys.argv[1]):
    name, secs = line.split()
    t[name] = float(secs)
names = sorted(t, key=lambda n: n.count('.'))
for i, n in enumerate(names):
    below = t[names[i + 1]] if i + 1 < len(names) else 0.0
    print(f"  level {i + 1} {n}: subtree {t[n]:.1f} s, own {t[n] - below:.1f} s")
PY

n=${FOREST_BENCH_EXEC_N:-30}
project="forest-$name"
time_it() {  # prints mean milliseconds of N runs of "$@"
  local s e
  s=$(date +%s%N)
  for _ in $(seq 1 "$n"); do "$@" >/dev/null; done
  e=$(date +%s%N)
  echo $(( (e - s) / n / 1000000 ))
}
"$forest" exec c0 -- true; incus exec --project "$project" c0 -- true   # warm both paths
ours=$(time_it "$forest" exec c0 -- true)
theirs=$(time_it incus exec --project "$project" c0 -- true)
echo "exec latency, $n runs each, same container c0, same run:"
echo "  forest exec (REST, websockets):    ${ours} ms"
echo "  incus exec  (upstream client):     ${theirs} ms"
python3 -c "print(f'  ratio forest/incus: {$ours/$theirs:.2f}')"
deep=$(time_it "$forest" exec c0-2-1 -- true)
echo "  forest exec at depth 3 (c0-2-1, two hops through node-exec): ${deep} ms"
if [ -n "$keep" ]; then
  cp "$topo" "$keep.tmp" && mv "$keep.tmp" "$keep"
  echo "left up for the benches that reuse it: $keep"
fi
