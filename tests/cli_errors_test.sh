#!/usr/bin/env bash
# Bad input gets a clear error naming file, line and field, and loses nothing.
. "$(dirname "$0")/lib.sh"

cat > "$T/bad-slot.yaml" <<'YAML'
version: 1
roots:
  - name: c0
    children:
      - name: c0-2
        slot: 16
YAML
run_expect 1 "$FOREST" plan "$T/bad-slot.yaml"
expect_contains "$out" "bad-slot.yaml:6:" "slot error names the line"
expect_contains "$out" "roots[0].children[0].slot" "slot error names the key"
expect_contains "$out" "1..15" "slot error says what is expected"

cat > "$T/typo.yaml" <<'YAML'
version: 1
roots:
  - name: c0
    childs: []
YAML
run_expect 1 "$FOREST" plan "$T/typo.yaml"
expect_contains "$out" "typo.yaml:4:" "unknown key line"
expect_contains "$out" "children" "did-you-mean"

# Sixteen children: refused, naming the node.
{
  echo "version: 1"; echo "roots:"; echo "  - name: c0"; echo "    children:"
  for i in $(seq 1 16); do echo "      - name: k$i"; done
} > "$T/wide.yaml"
run_expect 1 "$FOREST" plan "$T/wide.yaml"
expect_contains "$out" "c0" "width error names the parent"
expect_contains "$out" "k16" "width error names the child"

# Overlap with the NAT64 prefix.
cat > "$T/overlap.yaml" <<'YAML'
version: 1
nat64_prefix: fd00:1000::/96
roots:
  - name: c0
    prefix: fd00:1000::/20
YAML
run_expect 1 "$FOREST" plan "$T/overlap.yaml"
expect_contains "$out" "fd00:1000::/96" "overlap names the NAT64 prefix"

# Typos in commands get a suggestion; generate does not touch an existing
# materialization when the topology is bad.
run_expect 2 "$FOREST" paln x
expect_contains "$out" "Did you mean 'plan'?" "command suggestion"
run_expect 0 "$FOREST" generate "$T/m" --topology "$EX/source-chain.yaml" --no-runtime
before=$(cd "$T/m" && find . -type f -exec sha256sum {} + | sort)
run_expect 1 "$FOREST" generate "$T/m" --topology "$T/bad-slot.yaml" --no-runtime
after=$(cd "$T/m" && find . -type f -exec sha256sum {} + | sort)
expect_eq "$after" "$before" "failed generate leaves the materialization as it was"

run_expect 0 "$FOREST" --version
expect_contains "$out" "forest 0." "version"
run_expect 2 "$FORESTD" --role node
expect_contains "$out" "needs --self <canonical name>" "forestd --role node names what it lacks"
mkdir -p "$T/inputs" && cp "$EX/source-chain.yaml" "$T/inputs/topology.yaml"
run_expect 1 "$FORESTD" --role node --edge --self c0-2.c0.incus --dir "$T/inputs" --state "$T/state"
expect_contains "$out" "c0-2.c0.incus is not an edge" "forestd --edge on a node the topology does not make the edge"
run_expect 1 "$FORESTD" --role node --self nope.incus --dir "$EX"
expect_contains "$out" "error" "forestd --role node without a usable topology"
run_expect 1 "$FOREST" register-local-record --name auth.app.incus --target-name app.incus --dir "$T/none"
expect_contains "$out" "run this inside a forest node" "register-local-record outside a node"
finish
