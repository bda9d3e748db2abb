#!/usr/bin/env bash
# bench/shell.sh BUILD_DIR: forest shell against the Incus CLI doing the
# nearest equivalent, on the same machine in the same run:
#  1. time to a prompt: `forest shell -- true` on a new workspace (cold: a
#     whole forest node, its Incus, names and network policy) and on a
#     running persistent jail (warm), against `incus launch` of the same
#     node image plus `incus exec -- true` (cold; a bare container) and
#     `incus exec -- true` (warm);
#  2. exec latency: `forest shell exec --capture` and `forest shell exec`
#     against `incus exec` on the same jail;
#  3. file transfer of 64 MiB: writing it through the host path of the
#     workspace and reading it inside, against `forest shell file push` and
#     `incus file push` of the same file.
# Needs root and incusd (scripts/setup). Prints figures and ratios; fails
# only when a step fails.
set -euo pipefail
build=${1:?usage: bench/shell.sh BUILD_DIR}
forest="$build/forest"
src=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/forest-bench.XXXXXX)
. "$src/tests/forest_tests.sh"
suffix=$(printf '%04x' $((RANDOM)))
fname="bs$suffix"
forest_shell_begin "$forest" "$fname" "fbs$suffix"
project="forest-$fname"
peer="peer$suffix"
dirpool="bs$suffix-dir"
cleanup() {
  set +e
  incus delete -f --project "$project" "$peer" >/dev/null 2>&1
  incus storage delete "$dirpool" >/dev/null 2>&1
  (cd "$T" && "$forest" shell kill --all --force) >/dev/null 2>&1
  rm -rf "$FOREST_STATE_DIR/$fname" "$FOREST_STATE_DIR/$fname-sessions" "$T"
}
trap cleanup EXIT
mkdir -p "$T/warm"
"$forest" image build >/dev/null
ms() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e6:.0f}')" "$1" "$2"; }
now() { date +%s%N; }

# The persistent jail (also brings the shell forest's helper and project up,
# so the cold runs below pay for the jail only).
(cd "$T/warm" && "$forest" shell --persistent --guard-uplink -- true) >"$T/warm.log" 2>&1 || { cat "$T/warm.log" >&2; exit 1; }
J=$("$forest" shell list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jails"][0]["name"])')

p50() { sort -n | python3 -c 'import sys; v=[int(x) for x in sys.stdin]; print(v[(len(v)-1)//2])'; }
C=${FOREST_BENCH_COLD:-5}
P=${FOREST_BENCH_PEER:-3}
echo "== time to a prompt (ms)"
# Each cold run: to the command (it prints the clock as it starts; the jail's
# clock is the host's) and the whole run (with the ephemeral jail's removal).
cold=() whole=()
for i in $(seq 1 "$C"); do
  mkdir -p "$T/cold$i"
  s=$(now)
  (cd "$T/cold$i" && "$forest" shell --guard-uplink -- sh -c 'echo "started $(date +%s%N)"') >"$T/cold$i.log" 2>&1 ||
    { cat "$T/cold$i.log" >&2; exit 1; }
  whole+=("$(ms "$s" "$(now)")")
  cold+=("$(ms "$s" "$(sed -n 's/^started \([0-9]*\)$/\1/p' "$T/cold$i.log")")")
done
# The peers: `incus launch` + `incus exec -- true` of the same node image on
# the forest's pool (btrfs unless the host has another) and on a dir pool.
pool=$(incus profile device get --project "$project" default root pool 2>/dev/null || echo default)
pool_driver=$(incus query "/1.0/storage-pools/$pool" | python3 -c 'import json,sys; print(json.load(sys.stdin)["driver"])')
incus storage create "$dirpool" dir >/dev/null
peer() {  # POOL: ms of one launch + exec, the container deleted after
  local s t
  s=$(now)
  incus launch --project "$project" forest-node "$peer" --storage "$1" >/dev/null 2>&1
  until incus exec --project "$project" "$peer" -- true >/dev/null 2>&1; do sleep 0.1; done
  t=$(ms "$s" "$(now)")
  incus delete -f --project "$project" "$peer" >/dev/null 2>&1
  echo "$t"
}
cow=() dir=()
for _ in $(seq 1 "$P"); do cow+=("$(peer "$pool")"); dir+=("$(peer "$dirpool")"); done
cold_p50=$(printf '%s\n' "${cold[@]}" | p50)
cow_p50=$(printf '%s\n' "${cow[@]}" | p50)
dir_p50=$(printf '%s\n' "${dir[@]}" | p50)
printf '  cold jail (forest shell -- CMD, new workspace) to the command, p50 of %d: %s (runs %s)\n' "$C" "$cold_p50" "${cold[*]}"
printf '  the same runs to their end (the ephemeral jail removed): p50 %s (runs %s)\n' \
  "$(printf '%s\n' "${whole[@]}" | p50)" "${whole[*]}"
printf '  incus launch + exec on %s (%s), p50 of %d: %s (runs %s)\n' "$pool" "$pool_driver" "$P" "$cow_p50" "${cow[*]}"
printf '  incus launch + exec on dir, p50 of %d: %s (runs %s)\n' "$P" "$dir_p50" "${dir[*]}"
printf '  ratios: cold jail / dir launch %s (target <= 0.25), cold jail / %s launch %s\n' \
  "$(python3 -c "print(f'{$cold_p50 / max($dir_p50, 1):.2f}')")" "$pool_driver" \
  "$(python3 -c "print(f'{$cold_p50 / max($cow_p50, 1):.2f}')")"
# The first cold jail as the peer for the warm one below.
peer_cold=$cow_p50
incus launch --project "$project" forest-node "$peer" --storage "$pool" >/dev/null 2>&1
until incus exec --project "$project" "$peer" -- true >/dev/null 2>&1; do sleep 0.1; done
n=${FOREST_BENCH_N:-20}
mean() {  # mean ms of N runs of "$@"
  local s
  s=$(now)
  for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1; done
  python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e6 / int(sys.argv[3]):.0f}')" "$s" "$(now)" "$n"
}
warm=$(cd "$T/warm" && mean "$forest" shell -- true)
peer_warm=$(mean incus exec --project "$project" "$peer" -- true)
printf '  %-44s %8s %8s\n' "" "forest" "incus"
printf '  %-44s %8s %8s  ratio %s\n' "warm (running jail | exec), mean of $n" "$warm" "$peer_warm" \
  "$(python3 -c "print(f'{$warm / max($peer_warm, 1):.1f}')")"

echo "== exec latency (ms, mean of $n)"
cap=$(cd "$T/warm" && mean "$forest" shell exec --capture -- true)
str=$(cd "$T/warm" && mean "$forest" shell exec -- true)
inc=$(mean incus exec --project "$project" "$J" -- true)
printf '  forest shell exec --capture %s, forest shell exec %s, incus exec %s; ratios %s, %s\n' "$cap" "$str" "$inc" \
  "$(python3 -c "print(f'{$cap / max($inc, 1):.2f}')")" "$(python3 -c "print(f'{$str / max($inc, 1):.2f}')")"

echo "== 64 MiB file (ms)"
head -c 67108864 /dev/urandom >"$T/blob"
s=$(now)
cp "$T/blob" "$T/warm/blob" && sync "$T/warm/blob"
(cd "$T/warm" && "$forest" shell exec -- sha256sum /workspace/blob) >/dev/null
hostpath=$(ms "$s" "$(now)")
s=$(now)
"$forest" shell file push "$T/blob" "$J:/tmp/blob" >/dev/null 2>&1
fpush=$(ms "$s" "$(now)")
s=$(now)
incus file push --project "$project" "$T/blob" "$J/tmp/blob2" >/dev/null
ipush=$(ms "$s" "$(now)")
s=$(now)
"$forest" shell file pull "$J:/tmp/blob" "$T/pulled" >/dev/null 2>&1
fpull=$(ms "$s" "$(now)")
cmp -s "$T/blob" "$T/pulled" || { echo "pulled file differs" >&2; exit 1; }
printf '  host path (write + sha256 inside) %s; forest shell file push %s, incus file push %s (ratio %s); forest shell file pull %s\n' \
  "$hostpath" "$fpush" "$ipush" "$(python3 -c "print(f'{$fpush / max($ipush, 1):.2f}')")" "$fpull"
