#!/usr/bin/env bash
# forest registration check|merge: the parent-side rules on real files.
. "$(dirname "$0")/lib.sh"

topo="$EX/source-chain.yaml"
good() {
  cat <<JSON
{"schema": 1, "source_node": "c0-2-1",
 "records": [{"name": "c0-2-1.c0-2.c0.incus", "address": "fd00:1110::1"},
             {"name": "auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus", "address": "fd00:1110::25"}],
 "route": {"subtree": "fd00:1110::/28", "next_hop": "fd00:1100:0:1::1", "ready": true, "uplink_interface": "eth0"}}
JSON
}
good > "$T/good.json"
run_expect 0 "$FOREST" registration check "$T/good.json" --topology "$topo" --child c0-2-1.c0-2.c0.incus
expect_contains "$out" "accepted" "good export accepted"

good | sed 's/auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus/c0-2.c0.incus/' > "$T/foreign-name.json"
run_expect 1 "$FOREST" registration check "$T/foreign-name.json" --topology "$topo" --child c0-2-1.c0-2.c0.incus
expect_contains "$out" "rejected" "foreign name rejected"
expect_contains "$out" "c0-2.c0.incus" "reason names the name"

good | sed 's/fd00:1110::25/fd00:1000::25/' > "$T/foreign-addr.json"
run_expect 1 "$FOREST" registration check "$T/foreign-addr.json" --topology "$topo" --child c0-2-1.c0-2.c0.incus
expect_contains "$out" "fd00:1000::25" "foreign address named"

good | sed 's/fd00:1100:0:1::1/fd00:1100:0:1::2/' > "$T/wrong-route.json"
run_expect 1 "$FOREST" registration check "$T/wrong-route.json" --topology "$topo" --child c0-2-1.c0-2.c0.incus

# Merge at c0-2: its own record plus the good child; the forged one is left out and reported.
run_expect 1 "$FOREST" registration merge --topology "$topo" --node c0-2.c0.incus "$T/good.json" "$T/foreign-addr.json"
expect_contains "$out" "foreign-addr.json: rejected" "merge reports the forged export"
"$FOREST" registration merge --topology "$topo" --node c0-2.c0.incus "$T/good.json" > "$T/m1.json"
"$FOREST" registration merge --topology "$topo" --node c0-2.c0.incus "$T/good.json" "$T/good.json" > "$T/m2.json"
run_expect 0 cmp "$T/m1.json" "$T/m2.json"
expect_eq "$(json "$T/m1.json" "[r['name'] for r in d['records']]")" \
  "['auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus', 'c0-2-1.c0-2.c0.incus', 'c0-2.c0.incus']" "merged records"
expect_eq "$(json "$T/m1.json" "[x['name'] for x in d['descendants']]")" "['c0-2-1.c0-2.c0.incus']" "descendants"
# The merged export is itself valid from c0's point of view.
run_expect 0 "$FOREST" registration check "$T/m1.json" --topology "$topo" --child c0-2.c0.incus
finish
