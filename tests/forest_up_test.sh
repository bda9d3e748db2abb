#!/usr/bin/env bash
# forest up on real Incus: the source chain (c0 → c0-2 → c0-2-1 + workload)
# extended to depth 4 (c0-2-1-1), with a shared folder and ssh-agent
# delegation at depth 3, converges; a second up changes nothing; every level
# is unprivileged and reachable from the host over routed IPv6; parents drop
# spoofed sources; down removes everything.
# Needs root and a running incusd (scripts/setup starts one).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
forest_tests_need_incus

# Own name, project and bridge for this run (kernel limit: 15 chars).
suffix=$(printf '%04x' $((RANDOM)))
name="it$suffix"
bridge="fit$suffix"
topo="$T/chain.yaml"
share="$T/share"
mkdir -p "$share/sub" && echo hello >"$share/greeting" && echo secret >"$T/next-to-share"
chown -R 1000:1000 "$share"
chmod 755 "$T"
{
  forest_chain_head "$name" "$bridge"
  cat <<EOF2
        children:
          - name: c0-2-1
            slot: 1
            ssh_agent: true
            shares:
              - source: $share
                path: /srv/share
                readonly: false
            workloads:
              - name: fasthtml-plus-integration-test
                services: [auth]
            children:
              - name: c0-2-1-1
EOF2
} >"$topo"
forest_tests_begin "$FOREST"
project="forest-$name"

agent_pid=""
cleanup() {
  set +e
  "$FOREST" down "$topo" >"$T/down.log" 2>&1 || cat "$T/down.log" >&2
  [ -f "$T/bad.yaml" ] && "$FOREST" down "$T/bad.yaml" >/dev/null 2>&1
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT

# The host's keys reach the nodes through ssh-agent, never as files.
eval "$(ssh-agent -s)" >/dev/null
agent_pid=$SSH_AGENT_PID
ssh-keygen -q -t ed25519 -N '' -C forest-it -f "$T/id" && ssh-add -q "$T/id" && rm -f "$T/id"
SSH=(ssh -o BatchMode=yes -o LogLevel=ERROR -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10)

pool_before=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket http://incus/1.0/storage-pools/default)
section "up"
if ! "$FOREST" up --guard-uplink "$topo" >"$T/up1.log" 2>&1; then
  cat "$T/up1.log" >&2
  fail "first up failed"
  finish
fi
tail -n 3 "$T/up1.log"
ok
nft list table inet "forest_guard_$name" >/dev/null 2>&1 && ok || fail "uplink guard table missing"

section "second up changes nothing"
"$FOREST" up --guard-uplink "$topo" >"$T/up2.log" 2>&1 || { cat "$T/up2.log" >&2; fail "second up failed"; }
expect_contains "$(cat "$T/up2.log")" "up to date: nothing changed" "second up"

section "status"
"$FOREST" status --json >"$T/status.json"
expect_eq "$(json "$T/status.json" "sorted(i['name'] for i in d[0]['instances'])")" "['c0', 'forest-helper']" "host-level instances"
expect_eq "$(json "$T/status.json" "[i['name'] for i in d[0]['instances'] if i['name']=='c0'][0:1] and [c['name'] for c in [i for i in d[0]['instances'] if i['name']=='c0'][0]['children']]")" "['c0-2']" "c0's children"
expect_eq "$(json "$T/status.json" "sorted(w['name'] for w in [i for i in d[0]['instances'] if i['name']=='c0'][0]['children'][0]['children'][0]['children'])")" "['c0-2-1-1', 'fasthtml-plus-integration-test']" "c0-2-1's workload and child"
expect_eq "$(json "$T/status.json" "any(i['privileged'] for i in d[0]['instances'])")" "False" "no privileged instance"

section "routed IPv6 from the host"
workload_addr=$("$FOREST" exec fasthtml-plus-integration-test -- sh -c "ip -6 -o addr show scope global dev eth0 | awk '{print \$4}' | cut -d/ -f1 | head -n1") || true
expect_contains "$workload_addr" "fd00:1110:" "workload address on c0-2-1's LAN"
for target in c0:fd00:1000::1 c0-2:fd00:1100::1 c0-2-1:fd00:1110::1 "fasthtml-plus-integration-test:$workload_addr"; do
  label=${target%%:*} addr=${target#*:}
  ping -6 -c1 -W3 "$addr" >/dev/null 2>&1 && ok || fail "ping -6 $addr ($label)"
  got=$("${SSH[@]}" "root@$addr" hostname 2>&1) || true
  expect_eq "$got" "$label" "ssh root@$addr hostname"
done
# forest ssh: by name, before DNS; the host key goes to the forest's known_hosts.
# The first connection adds the key (ssh says so on stderr), the second finds it.
for label in c0-2-1 fasthtml-plus-integration-test; do
  got=$("$FOREST" ssh "$label" -- hostname </dev/null 2>"$T/ssh.err") || true
  expect_eq "$got" "$label" "forest ssh $label -- hostname"
  [ "$got" = "$label" ] || cat "$T/ssh.err" >&2
  got=$("$FOREST" ssh "$label" -- hostname </dev/null 2>&1) || true
  expect_eq "$got" "$label" "forest ssh $label a second time: the key is known, ssh says nothing more"
done

section "one hop per level"
hops=$(traceroute -6 -n -q1 -w2 fd00:1110::1 2>/dev/null | tail -n +2 | awk '{print $2}' | tr '\n' ' ')
expect_eq "$hops" "fd00:f00d:0:1::1 fd00:1000:0:1::1 fd00:1110::1 " "traceroute to c0-2-1"

section "c0-2-1 reaches the helper"
"$FOREST" exec c0-2-1 -- ping -6 -c1 -W3 fd00:f00d::53 >/dev/null && ok || fail "c0-2-1 cannot ping the helper"

section "unprivileged at every depth (uid maps read from the host)"
seen=""
for pid in $(pgrep -x systemd); do
  [ "$pid" = 1 ] && continue
  # The init of a container: pid 1 in its own pid namespace.
  nspid=$(awk '/^NSpid:/ {print $NF}' "/proc/$pid/status")
  [ "$nspid" = 1 ] || continue
  host=$(cat "/proc/$pid/root/etc/hostname" 2>/dev/null) || continue
  case " c0 c0-2 c0-2-1 c0-2-1-1 fasthtml-plus-integration-test forest-helper " in *" $host "*) ;; *) continue;; esac
  first=$(awk 'NR==1 {print $1, $2}' "/proc/$pid/uid_map")
  inside=${first% *} outside=${first#* }
  if [ "$inside" = 0 ] && [ "$outside" != 0 ]; then ok; else fail "$host: uid 0 maps to host uid $outside"; fi
  seen="$seen $host"
done
for want in c0 c0-2 c0-2-1 c0-2-1-1 fasthtml-plus-integration-test; do
  expect_contains "$seen " " $want " "container $want found on the host"
done

section "depth 4"
got=$("$FOREST" exec c0-2-1-1 -- hostname 2>&1) || true
expect_eq "$got" "c0-2-1-1" "exec at depth 4"

section "forest exec streams stdin like incus exec: 1 MiB, hash compared, at depth 1 and 4"
head -c 1048576 /dev/urandom >"$T/stdin.bin"
want=$(sha256sum <"$T/stdin.bin" | cut -d' ' -f1)
got=$(cat "$T/stdin.bin" | "$FOREST" exec c0 -- sha256sum 2>&1 | cut -d' ' -f1) || true
expect_eq "$got" "$want" "1 MiB piped into forest exec at depth 1"
got=$("$FOREST" exec c0-2-1-1 -- sha256sum <"$T/stdin.bin" 2>&1 | cut -d' ' -f1) || true
expect_eq "$got" "$want" "1 MiB from a file into forest exec at depth 4"
expect_eq "$(echo x | "$FOREST" exec c0-2-1 -- cat 2>&1)" "x" "echo x | forest exec c0-2-1 -- cat"
expect_eq "$(echo x | "$FOREST" exec -n c0-2-1 -- cat 2>&1)" "" "-n: stdin is /dev/null"
expect_eq "$(yes | timeout 60 "$FOREST" exec c0-2-1 -- head -n2 2>&1 | tr '\n' ' ')" "y y " "a command that stops reading ends the exec"
ping -6 -c1 -W3 fd00:1111::1 >/dev/null 2>&1 && ok || fail "ping -6 c0-2-1-1 (fd00:1111::1)"

section "forest exec -t gives the command a terminal, like ssh -t, at depth 1 and 4"
expect_contains "$("$FOREST" exec c0 -- tty 2>&1 || true)" "not a tty" "without -t no terminal"
# script(1) is the terminal this suite does not have.
rc=0
got=$(script -qec "$FOREST exec -t c0-2-1-1 -- sh -c 'tty; exit 7'" /dev/null 2>&1) || rc=$?
expect_contains "$got" "/dev/pts/" "forest exec -t at depth 4: the command's stdin is a terminal"
expect_eq "$rc" "7" "forest exec -t passes the exit code on"
expect_contains "$(script -qec "$FOREST exec -t c0 -- tty" /dev/null 2>&1 || true)" "/dev/pts/" "forest exec -t at depth 1"

section "shared folder at depth 3: exactly that folder, owned by its host owner"
got=$("$FOREST" exec c0-2-1 -- sh -c 'stat -c "%u:%g" /srv/share /srv/share/greeting; cat /srv/share/greeting; ls -a /srv/share | tr "\n" " "' 2>&1) || true
expect_eq "$got" "1000:1000
1000:1000
hello
. .. greeting sub " "share as seen in c0-2-1"
"$FOREST" exec c0-2-1 -- setpriv --reuid=1000 --regid=1000 --clear-groups sh -c 'echo from-node >/srv/share/written' && ok || fail "uid 1000 cannot write the read-write share"
expect_eq "$(stat -c %u "$share/written" 2>/dev/null; cat "$share/written" 2>/dev/null)" "1000
from-node" "file written in the node, seen on the host"
got=$("$FOREST" exec c0-2-1 -- sh -c 'ls /srv; cat /srv/next-to-share 2>&1 || true' 2>&1) || true
expect_contains "$got" "No such file" "the share's neighbour is not visible"

section "ssh-agent delegation at depth 3, no key files"
got=$("$FOREST" exec c0-2-1 -- ssh-add -l 2>&1) || true
expect_contains "$got" "forest-it" "ssh-add -l in c0-2-1 lists the host agent's key"
for n in c0 c0-2 c0-2-1 c0-2-1-1; do
  got=$("$FOREST" exec "$n" -- sh -c 'grep -rlI --devices=skip "PRIVATE KEY" /root /etc/forest /opt/forest/current/ 2>/dev/null || true' 2>&1) || true
  expect_eq "$got" "" "private key files in $n"
done

section "a parent drops its child's spoofed sources"
"$FOREST" exec c0 -- sh -c 'printf "table inet forest_it {\n chain input {\n  type filter hook input priority 0;\n  ip6 saddr fd00:2000::5 counter\n  ip6 saddr fd00:1100::1 icmpv6 type echo-request counter\n }\n}\n" | nft -f -' || fail "counter table in c0"
"$FOREST" exec c0-2 -- ip -6 addr add fd00:2000::5/128 dev lo || fail "spoof address in c0-2"
"$FOREST" exec c0-2 -- ping -6 -c2 -W1 -I fd00:2000::5 fd00:1000::1 >/dev/null 2>&1 && fail "spoofed ping answered" || ok
"$FOREST" exec c0-2 -- ping -6 -c1 -W2 -I fd00:1100::1 fd00:1000::1 >/dev/null 2>&1 && ok || fail "ping from c0-2's own prefix"
counters=$("$FOREST" exec c0 -- nft list table inet forest_it 2>&1 | grep -o 'packets [0-9]*' | tr '\n' ' ') || true
expect_eq "$counters" "packets 0 packets 1 " "c0 saw no spoofed packet and one from the child's prefix"

section "the incus shim: an upstream-style launch with a shifted disk works two levels down"
got=$("$FOREST" exec c0-2 -- sh -c '
  mkdir -p /srv/proj && echo hi >/srv/proj/f && chown -R 1000:1000 /srv/proj
  incus launch forest-workload itest -d project,disk,source=/srv/proj,path=/project,shift=true </dev/null 2>&1 | grep "forest shim" | head -n 3
  incus exec itest -- stat -c "%u:%g" /project/f
  incus exec itest -- cat /project/f
  incus config get itest security.privileged' 2>&1) || true
expect_contains "$got" "forest shim: device project: dropped shift=true" "shim explains what it injected"
expect_contains "$got" "1000:1000
hi" "itest sees the folder with its owner"
got=$("$FOREST" exec c0-2 -- incus config get itest security.privileged 2>&1) || true
expect_eq "$got" "" "itest is unprivileged"

section "a 16th hierarchy-aware child is refused"
wide="$T/wide.yaml"
{ printf 'version: 1\nname: %s-w\nhost:\n  bridge: %sw\nroots:\n  - name: c0\n    children:\n' "$name" "$bridge"
  for i in $(seq 1 16); do printf '      - name: n%d\n' "$i"; done; } >"$wide"
run_expect 1 "$FOREST" up "$wide"
expect_contains "$out" "already has 15 hierarchy-aware children" "16th child message"
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/projects/forest-$name-w")
expect_eq "$code" "404" "nothing made for the refused topology"

section "a second forest on the same addresses is refused, and says what to do"
clash="$T/clash.yaml"
printf 'version: 1\nname: %s-c\nhost:\n  bridge: %sc\nroots:\n  - name: c0\n' "$name" "$bridge" >"$clash"
run_expect 1 "$FOREST" up "$clash"
expect_contains "$out" "Incus network $bridge already has fd00:f00d::1/64, which overlaps fd00:f00d::/64 (host bridge)" "address clash named"
expect_contains "$out" "\`forest down $name\` removes it" "address clash remedy"
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/networks/${bridge}c")
expect_eq "$code" "404" "no bridge made for the refused forest"
run_expect 0 "$FOREST" down "$name-c"   # by name: the saved topology is used
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/projects/forest-$name-c")
expect_eq "$code" "404" "down by name removed the refused forest's project"
run_expect 1 "$FOREST" down "no-such-forest-$suffix"
expect_contains "$out" "no forest named 'no-such-forest-$suffix' brought up here" "down of an unknown name"

section "copy-on-write at every level"
# The host's pool is btrfs (a loop file Incus made) unless the run found a
# pool named default already; every node's own pool is btrfs below it, and
# `forest doctor NODE` names it.
incus query /1.0/storage-pools/default >"$T/pool.json"
host_driver=$(json "$T/pool.json" "d['driver']")
[ "$pool_before" = 404 ] && expect_eq "$host_driver" "btrfs" "the host pool up made"
for n in c0 c0-2 c0-2-1 c0-2-1-1; do
  run_expect 0 "$FOREST" doctor "$n"
  if [ "$host_driver" = btrfs ]; then
    expect_contains "$out" "ok    storage pool 'default': btrfs (copy-on-write" "$n's pool"
  fi
done
expect_eq "$("$FOREST" exec c0-2-1 -- incus storage volume list default -f csv -c t | sort -u | tr '\n' ' ')" \
  "container image " "c0-2-1's workload is a container beside its image's volume"

section "down removes everything"
"$FOREST" down "$topo" >"$T/down.log" 2>&1 || { cat "$T/down.log" >&2; fail "down failed"; }
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/projects/$project")
expect_eq "$code" "404" "project $project after down"
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/networks/$bridge")
expect_eq "$code" "404" "bridge $bridge after down"
nft list table inet "forest_guard_$name" >/dev/null 2>&1 && fail "guard table left behind" || ok
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket http://incus/1.0/storage-pools/default)
expect_eq "$code" "$pool_before" "storage pool 'default' as before the run"
if [ "$pool_before" = 404 ]; then
  [ -e /var/lib/incus/disks/default.img ] && fail "the pool's loop file is left behind" || ok
  grep -q " /var/lib/incus/storage-pools/default " /proc/self/mounts && fail "the pool is still mounted" || ok
fi

section "down also cleans up after a failed up"
bad="$T/bad.yaml"
cat >"$bad" <<EOF2
version: 1
name: $name-f
host:
  bridge: ${bridge}f
roots:
  - name: c0
    workloads:
      - name: w1
        image: no-such-image
EOF2
run_expect 1 "$FOREST" up --guard-uplink "$bad"
expect_contains "$out" "workload w1: image 'no-such-image' is not in the Incus of c0.incus" "failed up names the cause"
code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/instances/c0?project=$project-f")
expect_eq "$code" "200" "the failed up left c0 behind"
"$FOREST" down "$bad" >"$T/down-bad.log" 2>&1 || { cat "$T/down-bad.log" >&2; fail "down after a failed up"; }
for what in "projects/$project-f" "networks/${bridge}f"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket /var/lib/incus/unix.socket "http://incus/1.0/$what")
  expect_eq "$code" "404" "$what after down of the failed up"
done
nft list table inet "forest_guard_$name-f" >/dev/null 2>&1 && fail "guard table of the failed up left behind" || ok
finish
