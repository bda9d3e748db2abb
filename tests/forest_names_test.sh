#!/usr/bin/env bash
# The naming plane on a real forest (issue 4 acceptance): names bubble up
# (node agents → root → helper), DNS trickles down (workload → dnsmasq → node
# forestd → … → helper). From a host-equivalent mount namespace whose
# resolv.conf names only the helper: ssh by short alias and canonical name
# with the node's host key checked, getent, curl by service name. Aliases
# follow the unambiguity rule (a second c0-2-1 hides c0-2-1.incus), a deleted
# workload's names go, blue/green retargeting never leaves the name missing,
# forged child exports are rejected and logged, kill -9 of a node agent or
# the helper loses nothing. Under abuse (issue 15): a workload cannot poke
# its node, pull its export or ask for a certificate; 2,000 idle connections
# (and 500 to DNS over TCP) from it leave the helper's health, the root's
# publication and DNS over TCP answering.
# Needs root and a running incusd. FOREST_NAMES_REUSE=<topology file> runs
# the checks against a forest that is already up (developer aid: it is
# converged again, not removed).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
forest_tests_need_incus
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
section "up"
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

section "names bubble up to the helper"
wait_for 60 "c0-2-1.incus at the helper" resolves_to c0-2-1.incus fd00:1110::1
expect_eq "$(q c0-2-1.c0-2.c0.incus)" "fd00:1110::1" "canonical c0-2-1"
expect_eq "$(q c0-2.incus)" "fd00:1100::1" "alias c0-2"
expect_eq "$(q c0.incus)" "fd00:1000::1" "root"
waddr=$(addr_of "$W")
paddr=$(addr_of peer)
[ -n "$waddr" ] && ok || fail "no address for $W"
wait_for 30 "$W.incus" resolves_to "$W.incus" "$waddr"
expect_eq "$(hostns getent ahosts "$W.incus" | awk 'NR==1{print $1}')" "$waddr" "getent ahosts $W.incus (host namespace)"

section "ssh by name, host key checked against the node's"
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

section "a service name, registered on the node, by curl from the host"
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

section "a plain workload deep in the tree resolves upward"
got=$(in_node "$W" sh -c 'for n in forest-dns.incus c0-2.incus peer.incus c0-2-1.incus; do getent ahosts $n | awk "NR==1{print \$1}"; done' 2>&1 | tr '\n' ' ')
expect_eq "$got" "$HELPER fd00:1100::1 $paddr fd00:1110::1 " "getent in $W: forest-dns, c0-2, sibling peer, c0-2-1"

section "a second c0-2-1 elsewhere hides the short alias; both canonical names stay"
in_node c0 incus launch -q forest-workload c0-2-1 >/dev/null 2>&1 || fail "launch c0-2-1 in c0"
wait_for 60 "c0-2-1.c0.incus" resolves c0-2-1.c0.incus
wait_for 15 "c0-2-1.incus withdrawn" no_address c0-2-1.incus
expect_eq "$(q c0-2-1.c0-2.c0.incus)" "fd00:1110::1" "canonical c0-2-1 keeps resolving"
expect_eq "$(q c0-2-1.c0-2.incus)" "fd00:1110::1" "the longer alias is still unique"
in_node c0 incus delete -f c0-2-1 >/dev/null 2>&1 || fail "delete c0-2-1 in c0"
wait_for 15 "c0-2-1.c0.incus gone after delete" nxdomain c0-2-1.c0.incus
wait_for 15 "c0-2-1.incus back" resolves_to c0-2-1.incus fd00:1110::1

section "deleting a workload removes its names"
in_node c0-2-1 incus delete -f peer >/dev/null 2>&1 || fail "delete peer"
wait_for 15 "peer.incus gone" no_address peer.incus
expect_eq "$(rcode peer.c0-2-1.c0-2.c0.incus)" "NXDOMAIN" "canonical peer gone"

section "blue/green: retargeting never leaves the name missing"
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

section "forged exports from a child are rejected and logged; the forest keeps resolving"
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

section "kill -9 of a node agent mid-publication: nothing lost"
in_node c0-2 systemctl kill -s KILL forestd || fail "kill -9 forestd in c0-2"
in_node c0-2-1 forest register-local-record --name "k1.$W.incus" --target-name "$W.incus" >/dev/null 2>&1 || fail "register during the outage"
wait_for 45 "k1 after the node agent's restart" resolves_to "k1.$W.incus" "$waddr"
expect_eq "$(q c0-2-1.incus)" "fd00:1110::1" "c0-2-1 after the restart"
expect_eq "$(q auth.app.incus)" "$blue" "auth.app after the restart"

section "kill -9 of the helper: its saved view is served again, then updated"
incus exec --project "forest-$project" forest-helper -- systemctl kill -s KILL forestd || fail "kill -9 the helper's forestd"
in_node c0-2-1 forest register-local-record --name "k2.$W.incus" --target-name "$W.incus" >/dev/null 2>&1 || fail "register during the helper outage"
wait_for 30 "helper back" resolves_to c0-2-1.incus fd00:1110::1
wait_for 45 "k2 after the helper's restart" resolves_to "k2.$W.incus" "$waddr"
expect_eq "$(q "k1.$W.incus")" "$waddr" "k1 survived the helper restart"

section "unregister withdraws"
in_node c0-2-1 forest unregister-local-record --name "k2.$W.incus" >/dev/null || fail "unregister"
wait_for 15 "k2 withdrawn" nxdomain "k2.$W.incus"

section "APIs under abuse: a workload is refused node-only endpoints; its flood leaves the helper serving"
code() { in_node "$W" curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
expect_eq "$(code -X POST -d '{}' http://[fd00:1110::1]:8053/v1/poke)" "403" "a workload pokes its node"
expect_eq "$(code http://[fd00:1110::1]:8053/v1/export)" "403" "a workload pulls its node's export"
expect_eq "$(code http://[fd00:1110::1]:8053/healthz)" "200" "the node's health stays open"
# What the agents do (the HTTP pull; a refusal would be hidden by the exec fallback).
expect_eq "$(in_node c0-2 curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://[fd00:1110::1]:8053/v1/export)" "200" \
  "c0-2 pulls its child's export over HTTP"
expect_eq "$(in_node c0 curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://[fd00:1100::1]:8053/v1/export)" "200" \
  "c0 pulls c0-2's export over HTTP"
expect_eq "$(in_node c0-2-1 curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -d '{}' http://[fd00:1110::1]:8053/v1/poke)" "200" \
  "a node pokes itself (register-local-record)"
expect_eq "$(code -X POST -H 'Content-Length: 1000000' --data-binary @/dev/null http://[$HELPER]:8053/v1/sign-csr)" "403" \
  "a workload's sign-csr is refused on its head"
flood_b64=$(base64 -w0 "$FOREST_SOURCE_DIR/tests/conn_flood.py")
in_node "$W" sh -c "echo $flood_b64 | base64 -d >/root/conn_flood.py" || fail "copy conn_flood.py into $W"
flood_status() { in_node "$W" cat "/run/flood-$1.json" 2>/dev/null; }
flood_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$(flood_status "$1")" "$2"; }
in_node "$W" systemd-run -q --unit forest-flood-http python3 /root/conn_flood.py --host "$HELPER" --port 8053 \
  --count 2000 --seconds 60 --reopen-after 2 --status /run/flood-http.json || fail "start the HTTP flood"
in_node "$W" systemd-run -q --unit forest-flood-dns python3 /root/conn_flood.py --host "$HELPER" --port 53 \
  --count 500 --seconds 60 --reopen-after 2 --status /run/flood-dns.json || fail "start the DNS TCP flood"
flood_up() { [ "$(flood_field http refused)" -ge 1900 ] && [ "$(flood_field dns refused)" -ge 400 ]; }
wait_for 30 "2,000 + 500 connections tried from $W" flood_up
t0=$(date +%s.%N)
expect_eq "$(curl -s --max-time 3 "http://[$HELPER]:8053/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" "ok" \
  "the helper's health during the flood"
health_s=$(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 3))" "$t0")
expect_eq "$(kdig @"$HELPER" +tcp +short +timeout=3 +retry=0 c0-2-1.incus AAAA)" "fd00:1110::1" "DNS over TCP during the flood"
t0=$(date +%s.%N)
in_node c0-2-1 forest register-local-record --name "fl.$W.incus" --target-name "$W.incus" >/dev/null || fail "register during the flood"
wait_for 30 "fl.$W.incus published by the root during the flood" resolves_to "fl.$W.incus" "$waddr"
publish_s=$(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 3))" "$t0")
open_http=$(flood_field http open) open_dns=$(flood_field dns open)
[ "$open_http" -le 32 ] && ok || fail "$W holds $open_http HTTP connections, more than its 32"
[ "$open_dns" -le 16 ] && ok || fail "$W holds $open_dns DNS TCP connections, more than its 16"
[ "$(flood_field http answered)" -ge 1900 ] && ok || fail "the refused were told 503: $(flood_status http)"
metrics=$(curl -s --max-time 3 "http://[$HELPER]:8053/metrics")
n=$(awk '$1 == "forestd_connections_refused_total{listener=\"http\",limit=\"per_source\"}" {print $2}' <<<"$metrics")
[ "${n:-0}" -ge 1900 ] && ok || fail "the helper counts refusals per source (got '$n')"
soft=$(awk '$1 == "forestd_fd_limit{kind=\"soft\"}" {print $2}' <<<"$metrics")
hard=$(awk '$1 == "forestd_fd_limit{kind=\"hard\"}" {print $2}' <<<"$metrics")
[ -n "$soft" ] && [ "$soft" = "$hard" ] && [ "$soft" -gt 1024 ] && ok || fail "the helper raised its descriptor limit (soft '$soft', hard '$hard')"
echo "during the flood: health in $health_s s, a new name through the root in $publish_s s (incl. forest exec);" \
  "$W held $open_http HTTP and $open_dns DNS TCP connections; descriptors: soft $soft, hard $hard"
in_node "$W" systemctl stop forest-flood-http forest-flood-dns || fail "stop the floods"
expect_eq "$(kdig @"$HELPER" +tcp +short +timeout=3 c0-2-1.incus AAAA)" "fd00:1110::1" "DNS over TCP after the flood"

section "forest tree and host-dns"
tree=$("$FOREST" tree "$project" 2>&1)
expect_contains "$tree" "c0-2-1.c0-2.c0.incus  [node]  fd00:1110::1  aliases: c0-2-1.incus, c0-2-1.c0-2.incus" "tree: node with aliases"
expect_contains "$tree" "auth.$W.c0-2-1.c0-2.c0.incus  $waddr  aliases: auth.$W.incus" "tree: service with alias"
"$FOREST" tree "$project" --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(n["name"]=="c0-2-1.c0-2.c0.incus" for n in d["nodes"])' && ok || fail "tree --json"
out=$("$FOREST" host-dns install "$project" --root "$T/root" 2>&1) || fail "host-dns install: $out"
expect_eq "$(grep -v '^#' "$T/root/etc/systemd/resolved.conf.d/forest-$project.conf" | tr '\n' ' ')" "[Resolve] DNS=$HELPER Domains=~incus " "resolved drop-in"
expect_contains "$out" "server=/incus/$HELPER" "dnsmasq equivalent printed"
"$FOREST" host-dns remove "$project" --root "$T/root" >/dev/null && [ ! -e "$T/root/etc/systemd/resolved.conf.d/forest-$project.conf" ] && ok || fail "host-dns remove"

finish
