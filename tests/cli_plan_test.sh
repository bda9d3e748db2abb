#!/usr/bin/env bash
# forest plan on the source chain: prefixes, uplinks, canonical names and
# aliases exactly as DESIGN.md gives them.
. "$(dirname "$0")/lib.sh"

run_expect 0 "$FOREST" plan --json "$EX/source-chain.yaml"
echo "$out" > "$T/plan.json"
node() { json "$T/plan.json" "[n for n in d['nodes'] if n['label']=='$1'][0]['$2']"; }
expect_eq "$(node c0 prefix)" "fd00:1000::/20" "c0 prefix"
expect_eq "$(node c0-2 prefix)" "fd00:1100::/24" "c0-2 prefix"
expect_eq "$(node c0-2-1 prefix)" "fd00:1110::/28" "c0-2-1 prefix"
expect_eq "$(node c0-2-1 uplink)" "fd00:1100:0:1::1" "c0-2-1 uplink"
expect_eq "$(node c0-2-1 node_address)" "fd00:1110::1" "c0-2-1 node address"
expect_eq "$(node c0-2-1 lan)" "fd00:1110::/64" "c0-2-1 LAN"
expect_eq "$(node c0-2 uplink)" "fd00:1000:0:1::1" "c0-2 uplink"
expect_eq "$(node c0 canonical_name)" "c0.incus" "c0 canonical"
expect_eq "$(node c0-2 canonical_name)" "c0-2.c0.incus" "c0-2 canonical"
expect_eq "$(node c0-2-1 canonical_name)" "c0-2-1.c0-2.c0.incus" "c0-2-1 canonical"
expect_eq "$(node c0 aliases)" "[]" "c0 aliases"
expect_eq "$(node c0-2 aliases)" "['c0-2.incus']" "c0-2 aliases"
expect_eq "$(node c0-2-1 aliases)" "['c0-2-1.incus', 'c0-2-1.c0-2.incus']" "c0-2-1 aliases"
w="[w for w in d['workloads'] if w['name']=='fasthtml-plus-integration-test'][0]"
expect_eq "$(json "$T/plan.json" "$w['canonical_name']")" \
  "fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus" "workload canonical"
expect_eq "$(json "$T/plan.json" "$w['services'][0]['canonical_name']")" \
  "auth.fasthtml-plus-integration-test.c0-2-1.c0-2.c0.incus" "service canonical"
expect_eq "$(json "$T/plan.json" "sorted($w['services'][0]['aliases'])")" \
  "['auth.fasthtml-plus-integration-test.c0-2-1.c0-2.incus', 'auth.fasthtml-plus-integration-test.c0-2-1.incus', 'auth.fasthtml-plus-integration-test.incus']" \
  "service aliases"
expect_eq "$(json "$T/plan.json" "[(r['at'], r['destination'], r['via']) for r in d['routes']]")" \
  "[('host', 'fd00:1000::/20', 'fd00:f00d:0:1::1'), ('c0.incus', 'fd00:1100::/24', 'fd00:1000:0:1::1'), ('c0-2.c0.incus', 'fd00:1110::/28', 'fd00:1100:0:1::1')]" \
  "routes"

# The text form shows the same facts.
run_expect 0 "$FOREST" plan "$EX/source-chain.yaml"
expect_contains "$out" "c0  fd00:1000::/20" "text: c0"
expect_contains "$out" "c0-2  fd00:1100::/24" "text: c0-2"
expect_contains "$out" "c0-2-1  fd00:1110::/28" "text: c0-2-1"
expect_contains "$out" "aliases    c0-2-1.incus c0-2-1.c0-2.incus" "text: c0-2-1 aliases"
expect_contains "$out" "canonical  c0-2-1.c0-2.c0.incus" "text: canonical"

# The other examples plan too.
for f in "$EX"/*.yaml; do
  run_expect 0 "$FOREST" topology check "$f"
done
finish
