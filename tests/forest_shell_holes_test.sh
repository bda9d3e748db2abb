#!/usr/bin/env bash
# forest shell's holes of issue 15, each reproduced on a real Incus and now
# closed, with another forest (a test source chain) up on the same host:
#  - two forests: with the chain up (core.https_address names its bridge) a
#    jail starts and its Incus pulls the forest images; a start killed half-way
#    is finished by the next run, not taken for a ready jail;
#  - .git: every path through which git on the host runs something or reads
#    config elsewhere (commondir, config.worktree, info/, alternates, hooks,
#    config, worktrees/*, a submodule's git dir) is refused inside, git on the
#    host (status, commit, in the linked worktree and the submodule) runs
#    nothing the jail wrote, and commits, branches and fetches inside work;
#  - limits: a jail made without limits has the documented defaults (CPU,
#    memory, pids.max), `free` inside shows the memory limit (LXCFS), and a
#    fork bomb in it stays under the process limit while the host answers;
#  - sudo and HOME: the user is SUDO_UID's passwd entry whatever HOME says;
#    nothing root-owned appears in their home; the CA root is made there owned
#    by them, is the same under `sudo` and `sudo -E`, and a different one is
#    refused, never staged silently; --ssh-agent without a socket says how.
# Needs root and a running incusd (scripts/setup).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
forest_tests_need_incus
for tool in git incus python3 mkcert openssl setpriv; do
  command -v "$tool" >/dev/null || { echo "forest_shell_holes_test: $tool missing; run scripts/setup" >&2; exit 1; }
done

suffix=$(printf '%04x' $((RANDOM)))
chain="hc$suffix" fname="hs$suffix" bridge="fsq$suffix"
forest_tests_begin "$FOREST"
STATE=$FOREST_STATE_DIR/$fname
UID_A=2347 USER_A=holes
HOMEDIR=$T/home
mkdir -p "$HOMEDIR/.config/forest"
forest_shell_config "$fname" "$bridge" >"$HOMEDIR/.config/forest/config.yaml"
forest_test_user "$USER_A" "$UID_A" "$HOMEDIR"
chown -R "$UID_A:$UID_A" "$HOMEDIR"
chmod 755 "$T"
# As `sudo -E` hands it over: root, the user's ids, the user's HOME. CAROOT
# is unset for forest shell (forest_tests_begin set it for the chain), so the
# root is the user's ~/.local/share/mkcert.
export SUDO_UID=$UID_A SUDO_GID=$UID_A SUDO_USER=$USER_A HOME=$HOMEDIR
CHAIN_CAROOT=$CAROOT
unset CAROOT SSH_AUTH_SOCK
# The suite's own incus client keeps its settings in root's folder, so that
# what appears in the user's home is forest's doing only.
incus() { INCUS_CONF=/root/.config/incus command incus "$@"; }
fsh() { (cd "$1" && shift && "$FOREST" shell "$@"); }
# as_user CMD...: CMD as the user on the host (git as they would run it).
as_user() { setpriv --reuid "$UID_A" --regid "$UID_A" --clear-groups env HOME="$HOMEDIR" "$@"; }

cleanup() {
  set +e
  [ -n "${START_PID:-}" ] && kill "$START_PID" 2>/dev/null
  (cd "$T" && "$FOREST" shell kill --all --force) >"$T/kill.log" 2>&1 || cat "$T/kill.log" >&2
  "$FOREST" down "$chain" >"$T/down.log" 2>&1 || cat "$T/down.log" >&2
  forest_test_user_del "$USER_A"
  rm -rf "$STATE" "$STATE-sessions" "$T"
}
trap cleanup EXIT

section "the source chain: test forest $chain (root c0) on its own bridge"
cat >"$T/chain.yaml" <<EOF
version: 1
name: $chain
nat64_prefix: fd00:6464::/96
dns64_upstream: $FOREST_TEST_DNS64
host:
  bridge: hcb$suffix
roots:
  - name: c0
    prefix: fd00:1000::/20
EOF
CAROOT=$CHAIN_CAROOT forest_up "$T/chain.yaml" || { fail "the chain did not come up"; finish; }
https() { incus query /1.0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"].get("core.https_address",""))'; }
chain_https=$(https)
expect_eq "$chain_https" "[fd00:f00d::1]:8443" "the chain's forest set Incus's https address to its bridge"

# --- the workspace: a repository with a linked worktree, a submodule and a remote
WS=$T/proj
mkdir -p "$WS" "$T/libsrc"
git init -q -b main "$T/libsrc" && git -C "$T/libsrc" -c user.email=l@x -c user.name=l commit -q --allow-empty -m lib
git init -q -b main "$WS"
echo one >"$WS/file"
git -C "$WS" add file && git -C "$WS" -c user.email=a@x -c user.name=a commit -q -m one
git -C "$WS" -c protocol.file.allow=always submodule -q add "$T/libsrc" lib
git -C "$WS" -c user.email=a@x -c user.name=a commit -q -m lib
git -C "$WS" worktree add -q "$T/wt" -b side
git clone -q --bare "$WS" "$WS/upstream.git"
git -C "$WS" remote add up ./upstream.git
printf '[user]\n\temail = a@x\n\tname = a\n' >"$HOMEDIR/.gitconfig"
chown -R "$UID_A:$UID_A" "$WS" "$T/wt" "$T/libsrc" "$HOMEDIR"

section "a start killed half-way is finished by the next run"
(cd "$WS" && exec "$FOREST" shell --persistent --guard-uplink -- true) >"$T/start1.log" 2>&1 &
START_PID=$!
jail_running() { incus list --project "forest-$fname" -f csv -c ns 2>/dev/null | grep -q '^proj-.*,RUNNING'; }
wait_for 600 "the first start makes the jail" jail_running
sleep 5
kill "$START_PID" 2>/dev/null && ok || fail "the first start ended before it could be killed: $(cat "$T/start1.log")"
wait "$START_PID" 2>/dev/null || true
START_PID=
echo "   the first start was killed after: $(tail -n1 "$T/start1.log")"
A=$("$FOREST" shell list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["jails"][0]["name"])')
run_expect 0 fsh "$WS" --guard-uplink -- id -un
expect_contains "$out" "did not finish" "the next run sees the half-built jail"
expect_contains "$out" "$USER_A" "the jail user is the passwd name of SUDO_UID"
echo "$out" >"$T/start2.log"
run_expect 0 "$FOREST" shell exec "$A" --root -- incus image list -f csv -c l
expect_contains "$out" "forest-node" "the jail's Incus pulled the images from the host's (the chain's address)"
expect_eq "$(https)" "$chain_https" "the other forest's https address is left as it was"

section ".git: nothing git on the host reads can be written from inside"
cat >"$WS/attack.sh" <<'SH'
# attack.sh [WORKTREE]: what a jail would write to run code through git on
# the host: a repository of its own (evil, with core.fsmonitor and a hook)
# and every path of .git that can point git there.
cd "${1:-/workspace}"
git init -q --bare evil && mkdir -p evil-hooks
fsm='[core]
	fsmonitor = "touch PWNED-fsmonitor; false #"
	hooksPath = ../evil-hooks'
printf '%s\n' "$fsm" >>evil/config
printf '#!/bin/sh\ntouch PWNED-hook\n' >evil-hooks/post-commit && chmod +x evil-hooks/post-commit
try() { if (printf '%s\n' "$2" >"$1") 2>/dev/null; then echo "WROTE $1"; else echo "refused $1"; fi; }
try .git/commondir ../evil
try .git/config.worktree "$fsm"
try .git/config "$fsm"
try .git/info/attributes '* filter=evil'
try .git/info/exclude '*'
try .git/info/grafts x
try .git/objects/info/alternates ../../evil/objects
try .git/hooks/post-commit '#!/bin/sh
touch PWNED-hook'
try .git/hooks/pre-commit '#!/bin/sh
touch PWNED-hook'
try .git/worktrees/wt/commondir ../../../evil
try .git/worktrees/wt/config.worktree "$fsm"
try .git/worktrees/wt2/commondir ../../../evil
try .git/modules/lib/config "$fsm"
try .git/modules/lib/commondir ../../../evil
try .git/modules/lib/hooks/post-checkout '#!/bin/sh
touch PWNED-hook'
try .git/modules/lib/info/attributes '* filter=evil'
if mv .git .git-away 2>/dev/null; then echo "WROTE .git (moved)"; mv .git-away .git; fi
SH
chown "$UID_A:$UID_A" "$WS/attack.sh"
# The control: the same writes where nothing protects them (a copy, as the
# user on the host) make the host's next `git status` run the attacker's code.
cp -a "$WS" "$T/control"
as_user sh "$WS/attack.sh" "$T/control" >"$T/control.log" 2>&1
as_user git -C "$T/control" status --short >/dev/null 2>&1 || true
test -e "$T/control/PWNED-fsmonitor" && ok ||
  fail "the control: the attack does not run code even unprotected, so the check below proves nothing: $(cat "$T/control.log")"
run_expect 0 fsh "$WS" exec -- sh /workspace/attack.sh
echo "$out" >"$T/attack.log"
[[ "$out" == *WROTE* ]] && fail "the jail wrote a path git on the host reads: $(grep WROTE "$T/attack.log")" || ok
expect_eq "$(grep -c '^refused' "$T/attack.log")" 16 "every attempt was refused"
# The host's git as the user: nothing the jail prepared runs.
for d in "$WS" "$T/wt" "$WS/lib"; do
  as_user git -C "$d" status --short >/dev/null 2>&1 || fail "git status on the host in $d"
done
as_user git -C "$WS" commit -q --allow-empty -m host >/dev/null 2>&1 || fail "git commit on the host"
as_user git -C "$T/wt" commit -q --allow-empty -m host-wt >/dev/null 2>&1 || fail "git commit in the linked worktree"
pwned=$(find "$WS" "$T/wt" -maxdepth 3 -name 'PWNED*' 2>/dev/null)
expect_eq "$pwned" "" "code the jail wrote ran on the host"
expect_eq "$(cat "$WS/.git/commondir" 2>/dev/null)" "." "the commondir placeholder holds no redirection"
section "git inside: commits, branches, fetches, the submodule"
run_expect 0 fsh "$WS" exec -- sh -c 'set -e; cd /workspace; rm -rf evil evil-hooks attack.sh control
  export GIT_AUTHOR_NAME=j GIT_AUTHOR_EMAIL=j@x GIT_COMMITTER_NAME=j GIT_COMMITTER_EMAIL=j@x
  echo two >> file; git commit -qam two; git branch feat; git checkout -q feat; git commit -q --allow-empty -m feat
  git checkout -q main; git merge -q --no-edit feat; git fetch -q up; git rev-parse --verify -q up/main >/dev/null
  git -C lib commit -q --allow-empty -m inside-lib; git status --short; echo git-inside-ok'
expect_contains "$out" "git-inside-ok" "commit, branch, checkout, merge, fetch and a submodule commit inside"
expect_eq "$(as_user git -C "$WS" log -1 --format=%s main)" "feat" "the commits made inside are the host's"
run_expect 0 as_user git -C "$WS" fsck --no-progress

section "default limits"
run_expect 0 incus config show --expanded --project "forest-$fname" "$A"
conf=$out
pid_max=$(cat /proc/sys/kernel/pid_max)
want_procs=$((pid_max / 8)); [ "$want_procs" -lt 1000 ] && want_procs=1000; [ "$want_procs" -gt 10000 ] && want_procs=10000
want_cpu=$(($(nproc) - 1)); [ "$want_cpu" -lt 1 ] && want_cpu=1
expect_contains "$conf" "limits.processes: \"$want_procs\"" "default process limit (pid_max / 8)"
expect_contains "$conf" "limits.memory: 50%" "default memory limit"
expect_contains "$conf" "limits.cpu: \"$want_cpu\"" "default CPU limit"
run_expect 0 fsh "$WS" exec -- sh -c 'cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max'
expect_eq "$out" "$want_procs" "pids.max inside the jail"
host_kb=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)
run_expect 0 fsh "$WS" exec -- awk '/^MemTotal/ {print $2}' /proc/meminfo
jail_kb=$out
if grep -q ' /var/lib/lxcfs fuse.lxcfs ' /proc/self/mounts && head -c1 /var/lib/lxcfs/proc/uptime >/dev/null 2>&1; then
  [ "$jail_kb" -le $((host_kb / 2 + 1024)) ] && ok ||
    fail "free in the jail: MemTotal $jail_kb kB, the limit is half of $host_kb kB (LXCFS)"
else
  fail "LXCFS is not mounted or does not answer on this host (scripts/setup installs it, scripts/start-incus mounts it before incusd)"
fi
echo "   fork bomb in the default jail"
# Four loops that fork sleepers without end: the processes stay, so the jail
# sits at its limit and keeps hitting it (pids.events counts the refusals).
fsh "$WS" exec -- sh -c 'setsid -f sh -c "for i in 1 2 3 4; do (while :; do sleep 600 & done) & done" </dev/null >/dev/null 2>&1' ||
  fail "starting the fork bomb"
# Read on the host (an exec into a jail at its limit may not fork): the
# jail's cgroup, v1 pids hierarchy or v2.
events() { cat /sys/fs/cgroup/pids/lxc.payload."forest-${fname}_$A"/pids.events \
  /sys/fs/cgroup/lxc.payload."forest-${fname}_$A"/pids.events 2>/dev/null | awk '/^max/ {print $2; exit}'; }
at_limit() { [ "$(events)" -gt 0 ] 2>/dev/null; }
[ -n "$(events)" ] && ok || fail "the jail's pids cgroup is not where the suite looks (lxc.payload.forest-${fname}_$A)"
wait_for 120 "the fork bomb reaches the default process limit" at_limit
procs=$(incus query "/1.0/instances/$A/state?project=forest-$fname" | python3 -c 'import json,sys; print(json.load(sys.stdin)["processes"])')
[ "$procs" -le "$want_procs" ] && ok || fail "the fork bomb passed the default process limit: $procs > $want_procs"
[ "$procs" -ge $((want_procs * 9 / 10)) ] && ok || fail "the fork bomb did not fill the jail: $procs of $want_procs"
start=$(date +%s%N)
for _ in $(seq 1 20); do /bin/true; done
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 2000 ] && ok || fail "the host was slow during the fork bomb: 20 process starts took $ms ms"
echo "   ($procs processes in the jail at the limit $want_procs; 20 host process starts in $ms ms)"
run_expect 0 "$FOREST" shell kill "$A" --force
test ! -e "$WS/.git/commondir" && test ! -e "$WS/.git/config.worktree" && ok ||
  fail "the placeholders stayed after the workspace's last jail"

section "sudo and HOME"
root_dir=$HOMEDIR/.local/share/mkcert
test -f "$root_dir/rootCA.pem" && ok || fail "the CA root was not made in the invoking user's home"
expect_eq "$(stat -c %u "$root_dir" "$root_dir/rootCA.pem" "$root_dir/rootCA-key.pem" | sort -u)" "$UID_A" \
  "the CA root in the user's home is theirs"
# Plain `sudo`: HOME is root's. The user, their config layer and the root are the same.
run_expect 0 env HOME=/root "$FOREST" shell --workspace "$T/wt" --guard-uplink -- id -un
expect_contains "$out" "$USER_A" "under plain sudo the user is still SUDO_UID's"
[[ "$out" == *"created a new"* ]] && fail "a second CA root was made: $out" || ok
expect_contains "$out" "config: $HOMEDIR/.config/forest/config.yaml" "the user's layer from their passwd home"
helper=$(incus list --project "forest-$fname" -f csv -c n | grep -i helper | head -1)
staged=$(incus exec --project "forest-$fname" "$helper" -- cat /var/lib/forestd/ca/rootCA.pem)
expect_eq "$staged" "$(cat "$root_dir/rootCA.pem")" "the helper signs with the user's root"
root_owned=$(find "$HOMEDIR" -user 0 2>/dev/null)
expect_eq "$root_owned" "" "root-owned files in the user's home"
# Another root (another CAROOT): refused, the staged one stays.
mkdir -p "$T/other-ca"
CAROOT=$T/other-ca mkcert -cert-file "$T/x.pem" -key-file "$T/x-key.pem" x.example >/dev/null 2>&1
run_expect 1 env CAROOT="$T/other-ca" "$FOREST" shell --workspace "$T/wt" --slot 2 --guard-uplink -- true
expect_contains "$out" "does not change silently" "a different CA root is refused"
expect_eq "$(incus exec --project "forest-$fname" "$helper" -- cat /var/lib/forestd/ca/rootCA.pem)" \
  "$(cat "$root_dir/rootCA.pem")" "the staged root stays"
# --ssh-agent without an agent: refused with the fix, no jail made.
run_expect 1 "$FOREST" shell --workspace "$T/wt" --slot 3 --ssh-agent --guard-uplink -- true
expect_contains "$out" "sudo --preserve-env=SSH_AUTH_SOCK" "--ssh-agent without SSH_AUTH_SOCK says how to keep it"
run_expect 1 env SSH_AUTH_SOCK="$T/no-such.sock" "$FOREST" shell --workspace "$T/wt" --slot 3 --ssh-agent --guard-uplink -- true
expect_contains "$out" "is not a socket" "--ssh-agent with a stale SSH_AUTH_SOCK"
run_expect 0 "$FOREST" shell list --json
[[ "$out" == *"-3\""* ]] && fail "a jail record was made for the refused --ssh-agent start: $out" || ok

section "the chain still works beside the shell forest"
run_expect 0 "$FOREST" exec c0 -- true
finish
