#!/usr/bin/env bash
# bench/disk.sh BUILD_DIR: bytes the host's storage pool holds for N running
# jails (FOREST_BENCH_JAILS, default 20; `forest shell --persistent -- true`
# on N new workspaces), against N times the node image unpacked (what N
# containers take on a dir pool, before anything they write). On a
# copy-on-write pool a jail is a snapshot of the image volume: it pays only
# for what it writes (its own Incus's images, journal, the forest binary).
# Measured in one run: the pool's used bytes (`btrfs filesystem usage`) once
# the shell forest is up with one jail, and again after N more. Needs root,
# incusd and a btrfs host pool (prints why and stops on another driver).
set -euo pipefail
build=${1:?usage: bench/disk.sh BUILD_DIR}
forest="$build/forest"
src=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d /tmp/forest-bench.XXXXXX)
. "$src/tests/forest_tests.sh"
suffix=$(printf '%04x' $((RANDOM)))
fname="bd$suffix"
forest_shell_begin "$forest" "$fname" "fbd$suffix"
project="forest-$fname"
N=${FOREST_BENCH_JAILS:-20}
cleanup() {
  set +e
  (cd "$T" && "$forest" shell kill --all --force) >/dev/null 2>&1
  rm -rf "$FOREST_STATE_DIR/$fname" "$FOREST_STATE_DIR/$fname-sessions" "$T"
}
trap cleanup EXIT
"$forest" image build >/dev/null
jail() {  # WORKSPACE: a persistent jail for it
  mkdir -p "$T/$1"
  (cd "$T/$1" && "$forest" shell --persistent --guard-uplink -- true) >"$T/$1.log" 2>&1 || { cat "$T/$1.log" >&2; exit 1; }
}
jail w0
pool=$(incus profile device get --project "$project" default root pool 2>/dev/null || echo default)
driver=$(incus query "/1.0/storage-pools/$pool" | python3 -c 'import json,sys; print(json.load(sys.stdin)["driver"])')
if [ "$driver" != btrfs ]; then
  echo "bench/disk.sh: the host pool $pool is $driver, not btrfs: nothing copy-on-write to measure"
  exit 0
fi
mnt=/var/lib/incus/storage-pools/$pool
used() { sync; btrfs filesystem sync "$mnt" >/dev/null; btrfs filesystem usage -b "$mnt" | sed -nE 's/^[[:space:]]*Used:[[:space:]]*([0-9]+).*/\1/p' | sed -n 1p; }
fp=$(incus query "/1.0/images/aliases/forest-node?project=$project" | python3 -c 'import json,sys; print(json.load(sys.stdin)["target"])')
image=$(du -sb "$mnt/images/$fp" | cut -f1)
before=$(used)
[ -n "$before" ] && [ -n "$image" ] || { echo "bench/disk.sh: could not read the pool's used bytes or the image's size" >&2; exit 1; }
s=$SECONDS
for i in $(seq 1 "$N"); do jail "w$i"; done
after=$(used)
[ -n "$after" ] || { echo "bench/disk.sh: could not read the pool's used bytes" >&2; exit 1; }
python3 - "$N" "$image" "$before" "$after" "$((SECONDS - s))" <<'PY'
import sys
n, image, before, after, secs = (int(x) for x in sys.argv[1:])
mib = lambda b: f"{b / 2**20:.0f} MiB"
d = after - before
print(f"== disk for {n} running jails on btrfs ({secs} s to make them)")
print(f"  node image unpacked: {mib(image)}; {n}x that (a dir pool's floor): {mib(n * image)}")
print(f"  pool used before {mib(before)}, after {mib(after)}: {mib(d)} for {n} jails, {mib(d // n)} each")
print(f"  ratio: {d / (n * image):.3f} of {n}x the image")
PY
