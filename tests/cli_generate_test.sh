#!/usr/bin/env bash
# forest generate: deterministic trees, wholesale content/ replacement, only
# dependent files change when one input changes, artifacts verify.
. "$(dirname "$0")/lib.sh"

src="$EX/source-chain.yaml"
run_expect 0 "$FOREST" generate "$T/a/demo" --topology "$src" --enable-cache
run_expect 0 "$FOREST" generate "$T/b/demo" --topology "$src" --enable-cache
run_expect 0 diff -r "$T/a/demo" "$T/b/demo"

c="$T/a/demo/content"
for f in forest.command forest.env forest.json plan.json topology.yaml artifacts/SHA256SUMS \
  final/profiles/forest-helper.yaml final/profiles/forest-cache.yaml final/profiles/forest-root.yaml \
  final/profiles/forest-recursive-child.yaml final/profiles/forest-workload.yaml \
  final/nodes/forest-node_c0-2-1_c0-2_c0.yaml rendered/nodes/c0-2-1.c0-2.c0.incus/cloud-init.yaml \
  templates/cloud-init/node.yaml.tmpl scripts/verify.sh; do
  [ -s "$c/$f" ] && ok || fail "missing or empty: content/$f"
done
expect_eq "$(cat "$c/forest.command")" "forest generate demo --topology topology.yaml --enable-cache" "forest.command"
node_profile=$(cat "$c/final/nodes/forest-node_c0-2-1_c0-2_c0.yaml")
expect_contains "$node_profile" 'nictype: "routed"' "routed NIC"
expect_contains "$node_profile" 'ipv6.address: "fd00:1100:0:1::1,fd00:1100:0:1::c1a7:1"' "uplink and CLAT /128 on the routed NIC"
expect_contains "$node_profile" 'ipv6.routes: "fd00:1110::/28"' "delegated prefix on the routed NIC"
[[ "$node_profile" != *security.privileged* ]] && ok || fail "node profile must not be privileged"
expect_contains "$(cat "$c/final/profiles/forest-root.yaml")" 'path: "/dev/net/tun"' "tun device"

# Artifacts verify, and a tampered artifact is caught.
run_expect 0 "$c/scripts/verify.sh"
echo tampered >> "$c/artifacts/runtime/bin/forestd"
run_expect 1 "$c/scripts/verify.sh"

# Regeneration replaces content/ wholesale and keeps NAME/ itself.
echo mine > "$T/a/demo/notes.txt"
echo stray > "$c/stray-file"
run_expect 0 "$FOREST" generate "$T/a/demo" --topology "$src" --enable-cache
[ -e "$c/stray-file" ] && fail "content/ was not replaced wholesale" || ok
expect_eq "$(cat "$T/a/demo/notes.txt")" "mine" "NAME/ keeps other files"
run_expect 0 diff -r "$T/a/demo/content" "$T/b/demo/content"

# Changing one input changes only the files that depend on it.
sed 's/^\(\s*\)- name: c0-2-1$/&\n\1  limits: {memory: 3GiB}/' "$src" > "$T/changed.yaml"
grep -q "memory: 3GiB" "$T/changed.yaml" || fail "test setup: could not edit the topology"
run_expect 0 "$FOREST" generate "$T/c/demo" --topology "$T/changed.yaml" --enable-cache
changed=$(cd "$T" && { diff -rq b/demo/content c/demo/content || true; } | sed -e 's|^Files b/demo/content/||' -e 's| and .*||' | sort | tr '\n' ' ')
expect_eq "$changed" "final/nodes/forest-node_c0-2-1_c0-2_c0.yaml forest.env forest.json topology.yaml " \
  "files changed by a c0-2-1 limit"
expect_contains "$(cat "$T/c/demo/content/final/nodes/forest-node_c0-2-1_c0-2_c0.yaml")" 'limits.memory: "3GiB"' \
  "new limit rendered"

# Without --no-runtime the bundle is there; with it, it is not.
run_expect 0 "$FOREST" generate "$T/d/demo" --topology "$src" --no-runtime
[ -e "$T/d/demo/content/artifacts/runtime" ] && fail "--no-runtime still bundled binaries" || ok

# Slots are remembered: deleting the first child keeps the second's slot.
cat > "$T/two.yaml" <<'YAML'
version: 1
roots:
  - name: r
    children:
      - name: a
      - name: b
YAML
run_expect 0 "$FOREST" generate "$T/s/demo" --topology "$T/two.yaml" --no-runtime
cat > "$T/two.yaml" <<'YAML'
version: 1
roots:
  - name: r
    children:
      - name: b
YAML
run_expect 0 "$FOREST" generate "$T/s/demo" --topology "$T/two.yaml" --no-runtime
expect_eq "$(json "$T/s/demo/content/plan.json" "[n['prefix'] for n in d['nodes'] if n['label']=='b'][0]")" \
  "fd00:1200::/24" "b keeps slot 2 after a is deleted"
# `forest plan` shows the plan that generate builds: the remembered slots.
run_expect 0 "$FOREST" plan "$T/two.yaml" --materialization "$T/s/demo" --json
expect_eq "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print([n["prefix"] for n in d["nodes"] if n["label"]=="b"][0])' "$out")" \
  "fd00:1200::/24" "plan -m NAME shows b in its remembered slot 2"
run_expect 0 "$FOREST" plan "$T/two.yaml" --materialization "$T/s/demo"
expect_contains "$out" "slots remembered in $T/s/demo/slots.json" "plan says where the slots come from"
expect_contains "$out" "fd00:1200::/24" "the text plan shows slot 2 too"
FOREST_STATE_DIR="$T/nostate" run_expect 0 "$FOREST" plan "$T/two.yaml" --json
expect_eq "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print([n["prefix"] for n in d["nodes"] if n["label"]=="b"][0])' "$out")" \
  "fd00:1100::/24" "without remembered slots b takes the first free slot"
# `up` remembers slots in its state directory (STATE/NAME, NAME from the
# file); plan reads them there by default.
mkdir -p "$T/state/two" && cp "$T/s/demo/slots.json" "$T/state/two/slots.json"
FOREST_STATE_DIR="$T/state" run_expect 0 "$FOREST" plan "$T/two.yaml" --json
expect_eq "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print([n["prefix"] for n in d["nodes"] if n["label"]=="b"][0])' "$out")" \
  "fd00:1200::/24" "plan shows the slots the forest brought up here remembers"
run_expect 1 "$FOREST" plan "$T/two.yaml" --materialization "$T/nope"
expect_contains "$out" "no such materialization" "an unknown materialization is an error"
finish
