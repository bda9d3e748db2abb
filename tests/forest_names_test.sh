#!/usr/bin/env bash
# The naming plane on a real forest (issue 4 acceptance): names bubble up
# (node agents → root → helper), DNS trickles down (workload → dnsmasq → node
# forestd → … → helper). From a host-equivalent mount namespace whose
# resolv.conf names only the helper: ssh by short alias and canonical name
# with the node's host key checked, getent, curl by service name. Aliases
# follow the unambiguity rule (a second c0-2-1 hides c0-2-1.incus), a deleted
# workload's names go, blue/green retargeting never leaves the name missing,
# forged child exports are rejected and logged, kill -9 of a node agent or
# the helper loses nothing.
# Needs root and a running incusd. FOREST_NAMES_REUSE=<topology file> runs
# the checks against a forest that is already up (developer aid: it is
# converged again, not removed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
if [ "$(id -u)" -ne 0 ] || ! curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 >/dev/null; then
  echo "forest_names_test: needs root and a running incusd (scripts/setup)" >&2
  exit 1
fi
HELPER=fd00:f00d::53
W=fasthtml-plus-integration-test

if [ -n "${FOREST_NAMES_REUSE:-}" ]; then
  topo=$FOREST_NAMES_REUSE
  export FOREST_STATE_DIR=${FOREST_STATE_DIR:-/var/lib/forest-tests}
  cleanup() { rm -rf "$T"; }
else
  suffix=$(printf '%04x' $((RANDOM)))
  name="nm$suffix"
  topo="$T/names.yaml"
  {
    forest_chain_head "$name" "fnm$suffix"
    cat <<EOF2
        children:
          - name: c0-2-1
            slot: 1
            workloads:
              - name: $W
              - name: peer
EOF2
  } >"$topo"
  forest_tests_begin "$FOREST"
  cleanup() {
    set +e
    "$FOREST" down "$topo" >"$T/down.log" 2>&1 || cat "$T/down.log" >&2
    [ -n "${agent_pid:-}" ] && kill "$agent_pid" 2>/dev/null
    [ -n "${poller:-}" ] && kill "$poller" 2>/dev/null
    rm -rf "$T"
  }
fi
trap cleanup EXIT
agent_pid="" poller=""
eval "$(ssh-agent -s)" >/dev/null
agent_pid=$SSH_AGENT_PID
ssh-keygen -q -t ed25519 -N '' -C forest-names -f "$T/id" && ssh-add -q "$T/id" && rm -f "$T/id"

project=$(sed -n 's/^name: //p' "$topo" | head -n1)
echo "== up"
forest_up "$topo" || { fail "up failed"; finish; }

# The host-equivalent: the host's own network, a resolv.conf naming only the helper.
echo "nameserver $HELPER" >"$T/resolv.conf"
rcode() { kdig @"$HELPER" +timeout=2 "$1" AAAA 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -n1; }
resolves_to() { [ "$(q "$1")" = "$2" ]; }
resolves() { [ -n "$(q "$1")" ]; }
nxdomain() { [ "$(rcode "$1")" = NXDOMAIN ]; }
no_address() { [ "$(rcode "$1")" != "" ] && [ -z "$(q "$1")" ]; }  # NXDOMAIN, or NODATA above other names
addr_of() {  # global IPv6 of an instance's eth0 (via forest exec)
  "$FOREST" exec "$1" -- sh -c "ip -6 -o addr show scope global dev eth0 | awk '{print \$4}' | cut -d/ -f1 | sort | head -n1"
}
in_node() { local n=$1; shift; "$FOREST" exec "$n" -- "$@"; }

echo "== names bubble up to the helper"
wait_for 60 "c0-2-1.incus at the helper" resolves_to c0-2-1.incus fd00:1110::1
expect_eq "$(q c0-2-1.c0-2.c0.incus)" "fd00:1110::1" "canonical c0-2-1"
expect_eq "$(q c0-2.incus)" "fd00:1100::1" "alias c0-2"
expect_eq "$(q c0.incus)" "fd00:1000::1" "root"
waddr=$(addr_of "$W")
paddr=$(addr_of peer)
[ -n "$waddr" ] && ok || fail "no address for $W"
wait_for 30 "$W.incus" resolves_to "$W.incus" "$waddr"
expect_eq "$(hostns getent ahosts "$W.incus" | awk 'NR==1{print $1}')" "$waddr" "getent ahosts $W.incus (host namespace)"

echo "== ssh by name, host key checked against the node's"
key=$(in_node c0-2-1 cat /etc/ssh/ssh_host_ed25519_key.pub | awk '{print $1" "$2}')
echo "c0-2-1.incus,c0-2-1.c0-2.c0.incus $key" >"$T/known_hosts"
SSH=(ssh -o BatchMode=yes -o LogLevel=ERROR -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$T/known_hosts"
  -o HostKeyAlgorithms=ssh-ed25519 -o ConnectTimeout=10)
expect_eq "$(hostns "${SSH[@]}" root@c0-2-1.incus hostname 2>&1)" "c0-2-1" "ssh c0-2-1.incus"
expect_eq "$(hostns "${SSH[@]}" root@c0-2-1.c0-2.c0.incus hostname 2>&1)" "c0-2-1" "ssh c0-2-1.c0-2.c0.incus"
other=$(in_node c0-2 cat /etc/ssh/ssh_host_ed25519_key.pub | awk '{print $1" "$2}')
echo "c0-2-1.incus $other" >"$T/wrong_hosts"
if hostns ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$T/wrong_hosts" \
  -o HostKeyAlgorithms=ssh-ed25519 -o ConnectTimeout=10 root@c0-2-1.incus true 2>"$T/ssh.err"; then
  fail "ssh accepted the wrong host key"
else
  expect_contains "$(cat "$T/ssh.err")" "HOST IDENTIFICATION HAS CHANGED" "ssh checks the node's key"
fi

echo "== a service name, registered on the node, by curl from the host"
no_address "auth.$W.incus" && ok || fail "auth.$W.incus resolves before its registration"
in_node "$W" sh -c 'mkdir -p /srv/www && echo fasthtml-ok >/srv/www/index.html &&
  systemd-run -q --unit forest-web python3 -m http.server 80 --bind :: --directory /srv/www' || fail "web server"
out=$(in_node c0-2-1 forest register-local-record --name "auth.$W.incus" --target-name "$W.incus" 2>&1) || fail "register: $out"
expect_contains "$out" "registered auth.$W.c0-2-1.c0-2.c0.incus → $W.c0-2-1.c0-2.c0.incus" "register output"
wait_for 15 "auth.$W.incus" resolves_to "auth.$W.incus" "$waddr"
expect_eq "$(hostns curl -s --max-time 10 "http://auth.$W.incus/")" "fasthtml-ok" "curl http://auth.$W.incus"
out=$(in_node c0-2-1 forest local-records --json 2>&1)
expect_contains "$out" "\"name\": \"auth.$W.c0-2-1.c0-2.c0.incus\"" "local-records --json"
run_expect 1 in_node c0-2-1 forest register-local-record --name c0-2-1.incus --target-name "$W.incus"
expect_contains "$out" "own name" "registering the node's own name is refused"

echo "== a plain workload deep in the tree resolves upward"
got=$(in_node "$W" sh -c 'for n in forest-dns.incus c0-2.incus peer.incus c0-2-1.incus; do getent ahosts $n | awk "NR==1{print \$1}"; done' 2>&1 | tr '\n' ' ')
expect_eq "$got" "$HELPER fd00:1100::1 $paddr fd00:1110::1 " "getent in $W: forest-dns, c0-2, sibling peer, c0-2-1"

echo "== a second c0-2-1 elsewhere hides the short alias; both canonical names stay"
in_node c0 incus launch -q forest-workload c0-2-1 >/dev/null 2>&1 || fail "launch c0-2-1 in c0"
wait_for 60 "c0-2-1.c0.incus" resolves c0-2-1.c0.incus
wait_for 15 "c0-2-1.incus withdrawn" no_address c0-2-1.incus
expect_eq "$(q c0-2-1.c0-2.c0.incus)" "fd00:1110::1" "canonical c0-2-1 keeps resolving"
expect_eq "$(q c0-2-1.c0-2.incus)" "fd00:1110::1" "the longer alias is still unique"
in_node c0 incus delete -f c0-2-1 >/dev/null 2>&1 || fail "delete c0-2-1 in c0"
wait_for 15 "c0-2-1.c0.incus gone after delete" nxdomain c0-2-1.c0.incus
wait_for 15 "c0-2-1.incus back" resolves_to c0-2-1.incus fd00:1110::1

echo "== deleting a workload removes its names"
in_node c0-2-1 incus delete -f peer >/dev/null 2>&1 || fail "delete peer"
wait_for 15 "peer.incus gone" no_address peer.incus
expect_eq "$(rcode peer.c0-2-1.c0-2.c0.incus)" "NXDOMAIN" "canonical peer gone"

echo "== blue/green: retargeting never leaves the name missing"
in_node c0-2-1 sh -c 'incus launch -q forest-workload green && incus launch -q forest-workload blue' >/dev/null 2>&1 || fail "launch green/blue"
in_node c0-2-1 forest register-local-record --name auth.app.incus --target-name green.incus >/dev/null || fail "register green"
wait_for 60 "auth.app.incus → green" sh -c "[ -n \"\$(kdig @$HELPER +short auth.app.incus AAAA)\" ] && [ \"\$(kdig @$HELPER +short green.incus AAAA)\" = \"\$(kdig @$HELPER +short auth.app.incus AAAA)\" ]"
green=$(q green.incus)
wait_for 60 "blue.incus" resolves blue.incus
blue=$(q blue.incus)
( while :; do printf '%s %s\n' "$(date +%s.%N)" "$(kdig @$HELPER +short +timeout=1 auth.app.incus AAAA | tr '\n' ,)"; sleep 0.02; done ) >"$T/poll.log" &
poller=$!
sleep 0.5
t0=$(date +%s.%N)
in_node c0-2-1 forest register-local-record --name auth.app.incus --target-name blue.incus >/dev/null || fail "register blue"
wait_for 30 "auth.app.incus → blue" resolves_to auth.app.incus "$blue"
sleep 0.3
kill "$poller" 2>/dev/null; wait "$poller" 2>/dev/null || true; poller=""
missing=$(awk '$2 == ""' "$T/poll.log" | wc -l)
expect_eq "$missing" "0" "polls of auth.app.incus that found no address ($(wc -l <"$T/poll.log") polls)"
first_blue=$(awk -v b="$blue," '$2 == b {print $1; exit}' "$T/poll.log")
echo "switch seen by the host after $(python3 -c "print(round($first_blue - $t0, 3))") s (including forest exec)"
expect_eq "$(awk '$2 != "" {print $2}' "$T/poll.log" | uniq | tr '\n' ' ')" "$green, $blue, " "only green, then only blue"

echo "== forged exports from a child are rejected and logged; the forest keeps resolving"
in_node c0-2-1 systemctl stop forestd || fail "stop forestd in c0-2-1"
for forged in \
  '{"schema":1,"source_node":"c0-2-1","records":[{"name":"c0-2.c0.incus","address":"fd00:1110::66"}],"route":{"subtree":"fd00:1110::/28","next_hop":"fd00:1100:0:1::1","ready":true,"uplink_interface":"eth0"}}' \
  '{"schema":1,"source_node":"c0-2-1","records":[{"name":"evil.c0-2-1.c0-2.c0.incus","address":"fd00:1000::66"}],"route":{"subtree":"fd00:1110::/28","next_hop":"fd00:1100:0:1::1","ready":true,"uplink_interface":"eth0"}}'; do
  in_node c0-2-1 sh -c "printf '%s' '$forged' >/var/lib/forestd/export.json && curl -sf -X POST -d '{\"child\":\"c0-2-1\"}' http://[fd00:1100::1]:8053/v1/poke >/dev/null" || fail "forge + poke"
  sleep 1
done
log=$(in_node c0-2 journalctl -u forestd --no-pager -o cat 2>&1 | grep "rejected" || true)
expect_contains "$log" "records[0].name: \"c0-2.c0.incus\" is neither c0-2-1.c0-2.c0.incus nor a name under it" "sibling name rejected with the reason"
expect_contains "$log" "fd00:1000::66 (for evil.c0-2-1.c0-2.c0.incus) is outside fd00:1110::/28" "foreign address rejected"
expect_eq "$(q c0-2.c0.incus)" "fd00:1100::1" "c0-2 keeps its own address"
expect_eq "$(rcode evil.c0-2-1.c0-2.c0.incus)" "NXDOMAIN" "forged name not published"
expect_eq "$(q c0-2-1.incus)" "fd00:1110::1" "c0-2-1 still resolves (last good kept)"
expect_eq "$(q "auth.$W.incus")" "$waddr" "services below still resolve"
metric=$(in_node c0-2 curl -s http://[fd00:1100::1]:8053/metrics | awk '/^forestd_child_exports_rejected_total/{print $2}')
[ "${metric:-0}" -ge 2 ] && ok || fail "rejections counted in metrics (got '$metric')"
in_node c0-2-1 systemctl start forestd || fail "restart forestd in c0-2-1"

echo "== kill -9 of a node agent mid-publication: nothing lost"
in_node c0-2 systemctl kill -s KILL forestd || fail "kill -9 forestd in c0-2"
in_node c0-2-1 forest register-local-record --name "k1.$W.incus" --target-name "$W.incus" >/dev/null 2>&1 || fail "register during the outage"
wait_for 45 "k1 after the node agent's restart" resolves_to "k1.$W.incus" "$waddr"
expect_eq "$(q c0-2-1.incus)" "fd00:1110::1" "c0-2-1 after the restart"
expect_eq "$(q auth.app.incus)" "$blue" "auth.app after the restart"

echo "== kill -9 of the helper: its saved view is served again, then updated"
incus exec --project "forest-$project" forest-helper -- systemctl kill -s KILL forestd || fail "kill -9 the helper's forestd"
in_node c0-2-1 forest register-local-record --name "k2.$W.incus" --target-name "$W.incus" >/dev/null 2>&1 || fail "register during the helper outage"
wait_for 30 "helper back" resolves_to c0-2-1.incus fd00:1110::1
wait_for 45 "k2 after the helper's restart" resolves_to "k2.$W.incus" "$waddr"
expect_eq "$(q "k1.$W.incus")" "$waddr" "k1 survived the helper restart"

echo "== unregister withdraws"
in_node c0-2-1 forest unregister-local-record --name "k2.$W.incus" >/dev/null || fail "unregister"
wait_for 15 "k2 withdrawn" nxdomain "k2.$W.incus"

echo "== forest tree and host-dns"
tree=$("$FOREST" tree "$project" 2>&1)
expect_contains "$tree" "c0-2-1.c0-2.c0.incus  [node]  fd00:1110::1  aliases: c0-2-1.incus, c0-2-1.c0-2.incus" "tree: node with aliases"
expect_contains "$tree" "auth.$W.c0-2-1.c0-2.c0.incus  $waddr  aliases: auth.$W.incus" "tree: service with alias"
"$FOREST" tree "$project" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(n["name"]=="c0-2-1.c0-2.c0.incus" for n in d["nodes"])' && ok || fail "tree --json"
out=$("$FOREST" host-dns install "$project" --root "$T/root" 2>&1) || fail "host-dns install: $out"
expect_eq "$(grep -v '^#' "$T/root/etc/systemd/resolved.conf.d/forest-$project.conf" | tr '\n' ' ')" "[Resolve] DNS=$HELPER Domains=~incus " "resolved drop-in"
expect_contains "$out" "server=/incus/$HELPER" "dnsmasq equivalent printed"
"$FOREST" host-dns remove "$project" --root "$T/root" >/dev/null && [ ! -e "$T/root/etc/systemd/resolved.conf.d/forest-$project.conf" ] && ok || fail "host-dns remove"

finish
