#!/usr/bin/env bash
# Storage pools on real Incus: a pool the user names is used and survives
# `down` with the user's own volume on it; `host.storage.driver: dir` still
# works and `forest doctor` says what it costs at the node; `forest up`
# killed -9 while it makes its btrfs pool converges when run again, and
# `down` then leaves no pool, loop file or mount. (The default btrfs pool at
# every depth: forest_up_test.)
# Needs root and a running incusd (scripts/setup starts one).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
forest_tests_need_incus

suffix=$(printf '%04x' $((RANDOM)))
name="st$suffix"
bridge="fst$suffix"
user_pool="$name-user"
kill_pool="$name-kill"
dir_pool="$name-dir"
forest_tests_begin "$FOREST"

# topology FILE POOL [STORAGE-LINES]: one root, on POOL.
topology() {
  {
    printf 'version: 1\nname: %s\nnat64_prefix: fd00:6464::/96\n' "$name"
    printf 'dns64_upstream: %s\n' "$FOREST_TEST_DNS64"
    printf 'host:\n  bridge: %s\n  storage_pool: %s\n' "$bridge" "$2"
    [ -n "${3:-}" ] && printf '%s\n' "$3"
    printf 'roots:\n  - name: c0\n    prefix: fd00:1000::/20\n'
  } >"$1"
}
pool_code() { curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/storage-pools/$1"; }
# no_trace POOL WHAT: no pool, loop file or mount of POOL.
no_trace() {
  expect_eq "$(pool_code "$1")" "404" "$2: pool $1"
  [ -e "/var/lib/incus/disks/$1.img" ] && fail "$2: loop file /var/lib/incus/disks/$1.img left" || ok
  grep -q " /var/lib/incus/storage-pools/$1 " /proc/self/mounts && fail "$2: $1 still mounted" || ok
}

up_pid=""
cleanup() {
  set +e
  [ -n "$up_pid" ] && kill -9 "$up_pid" 2>/dev/null
  for f in "$T"/*.yaml; do "$FOREST" down "$f" >/dev/null 2>&1; done
  incus storage volume delete "$user_pool" keep >/dev/null 2>&1
  incus storage delete "$user_pool" >/dev/null 2>&1
  for p in "$kill_pool" "$dir_pool"; do
    [ "$(pool_code "$p")" = 200 ] && incus storage delete "$p" >/dev/null 2>&1
  done
  rm -rf "$T"
}
trap cleanup EXIT

section "a pool the user names is used and never deleted"
incus storage create "$user_pool" btrfs size=4GiB >/dev/null
incus storage volume create "$user_pool" keep >/dev/null
topology "$T/user.yaml" "$user_pool"
forest_up "$T/user.yaml" || fail "up on the user's pool"
expect_eq "$(incus query "/1.0/instances/c0?project=forest-$name" | python3 -c 'import json,sys; print(json.load(sys.stdin)["expanded_devices"]["root"]["pool"])')" \
  "$user_pool" "c0's root disk"
"$FOREST" down "$T/user.yaml" >"$T/down.log" 2>&1 || { cat "$T/down.log" >&2; fail "down"; }
expect_eq "$(pool_code "$user_pool")" "200" "the user's pool after down"
expect_eq "$(incus storage volume list "$user_pool" -f csv -c n type=custom)" "keep" "the user's volume after down"
rm "$T/user.yaml"

section "kill -9 while up makes the pool, then up again"
topology "$T/kill.yaml" "$kill_pool"
"$FOREST" up --guard-uplink "$T/kill.yaml" >"$T/kill-up.log" 2>&1 &
up_pid=$!
start=$SECONDS
until [ "$(pool_code "$kill_pool")" != 404 ] || [ $((SECONDS - start)) -ge 120 ]; do sleep 0.05; done
kill -9 "$up_pid" 2>/dev/null || true
wait "$up_pid" 2>/dev/null || true
up_pid=""
echo "killed forest up $((SECONDS - start)) s in, pool $kill_pool: $(pool_code "$kill_pool")"
forest_up "$T/kill.yaml" || fail "up after the kill"
expect_eq "$(incus query "/1.0/storage-pools/$kill_pool" | python3 -c 'import json,sys; print(json.load(sys.stdin)["driver"])')" \
  "btrfs" "the pool up made"
run_expect 0 "$FOREST" doctor c0
expect_contains "$out" "ok    storage pool '$kill_pool': btrfs (copy-on-write" "doctor names c0's own pool"
"$FOREST" down "$T/kill.yaml" >"$T/down.log" 2>&1 || { cat "$T/down.log" >&2; fail "down"; }
no_trace "$kill_pool" "after down"
rm "$T/kill.yaml"

section "driver: dir still works, and doctor says what it costs"
topology "$T/dir.yaml" "$dir_pool" $'  storage:\n    driver: dir'
forest_up "$T/dir.yaml" || fail "up on dir"
expect_eq "$(incus query "/1.0/storage-pools/$dir_pool" | python3 -c 'import json,sys; print(json.load(sys.stdin)["driver"])')" \
  "dir" "the pool up made"
run_expect 0 "$FOREST" doctor c0
expect_contains "$out" "ok    storage pool '$dir_pool': dir (no copy-on-write): every container unpacks its image in full" \
  "doctor explains c0's dir pool"
expect_contains "$out" "a node's pool is btrfs only where its parent's pool is" "doctor says why"
"$FOREST" down "$T/dir.yaml" >"$T/down.log" 2>&1 || { cat "$T/down.log" >&2; fail "down"; }
no_trace "$dir_pool" "after down"
rm "$T/dir.yaml"

finish
