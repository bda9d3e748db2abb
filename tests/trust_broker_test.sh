#!/usr/bin/env bash
# The CA broker and the mkcert shim on real sockets, without Incus. Two
# network namespaces this test creates: the helper (fd00:f00d::53, forestd
# --role helper) and a node c0-2-1 (its uplink fd00:1100:0:1::1, plus a
# workload address and c0-2's uplink to play other callers), joined by a
# veth. The root is made by the real mkcert (the host's root), staged by
# copying it into the helper's state. Checks: root retrieval, the shim's
# mkcert command line and output files, chains verified by openssl, refusals
# (siblings, helper names, unknown callers, replayed and garbled CSRs, weak
# keys), the issuance log, kill -9.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ]; then echo "trust_broker_test: needs root (network namespaces)" >&2; exit 1; fi
for tool in mkcert openssl curl; do
  command -v "$tool" >/dev/null || { echo "trust_broker_test: $tool missing; run scripts/setup" >&2; exit 1; }
done
FORESTD=${FORESTD:-$(dirname "$FOREST")/forestd}
. "$(dirname "$0")/trust_netns.sh"
pid=""
cleanup() {
  trust_netns_down
  rm -rf "$T"
}
trap cleanup EXIT
trust_netns_up tb fd00:1110::25 fd00:1000:0:1::1
in_n() { ip netns exec "$nns" "$@"; }
api="http://[fd00:f00d::53]:8053"

mkdir -p "$T/etc" "$T/bin" "$T/home" "$T/work"
cat >"$T/etc/topology.yaml" <<EOF2
version: 1
name: $hns
roots:
  - name: c0
    children:
      - name: c0-2
        slot: 1
        workloads:
          - name: peer
        children:
          - name: c0-2-1
            workloads:
              - name: app
EOF2
start() { trust_helper_start "$T/etc" "$T/state" "$T/forestd.log"; }
start || { fail "forestd did not come up"; finish; }
ok
cat >"$T/export.json" <<'EOF2'
{"schema":1,"source_node":"c0","records":[{"name":"c0.incus","address":"fd00:1000::1"},{"name":"c0-2.c0.incus","address":"fd00:1100::1"},{"name":"peer.c0-2.c0.incus","address":"fd00:1100::7"},{"name":"c0-2-1.c0-2.c0.incus","address":"fd00:1110::1"},{"name":"app.c0-2-1.c0-2.c0.incus","address":"fd00:1110::25"}],"route":{"subtree":"fd00:1000::/20","next_hop":"fd00:f00d:0:1::1","ready":true,"uplink_interface":"eth0"},"descendants":[{"name":"c0-2.c0.incus","route":{"subtree":"fd00:1100::/24","next_hop":"fd00:1000:0:1::1","ready":true,"uplink_interface":"eth0"}},{"name":"c0-2-1.c0-2.c0.incus","route":{"subtree":"fd00:1110::/28","next_hop":"fd00:1100:0:1::1","ready":true,"uplink_interface":"eth0"}}]}
EOF2
expect_eq "$(in_n curl -s -o /dev/null -w '%{http_code}' --interface fd00:f00d:0:1::1 -X POST --data-binary "@$T/export.json" "$api/v1/publish-root-registration")" \
  "200" "c0 publishes the view"

echo "== before staging: no root"
expect_eq "$(in_n curl -s -o "$T/reply" -w '%{http_code}' "$api/v1/root-ca")" "503" "root-ca before staging"
expect_contains "$(cat "$T/reply")" "forest ca stage" "the refusal says what to do"

echo "== the host's root, made by the real mkcert, staged into the helper's state"
(cd "$T/work" && CAROOT="$T/hostca" mkcert -cert-file host.pem -key-file host-key.pem host.example >/dev/null 2>&1) ||
  fail "real mkcert made no root"
mkdir -p "$T/state/ca" && chmod 700 "$T/state/ca"
cp "$T/hostca/rootCA.pem" "$T/hostca/rootCA-key.pem" "$T/state/ca/"
expect_eq "$(in_n curl -s "$api/v1/root-ca" | sha256sum)" "$(sha256sum <"$T/hostca/rootCA.pem")" "GET /v1/root-ca is the host's rootCA.pem"

echo "== the shim in c0-2-1: an unchanged mkcert script"
ln -s "$FOREST" "$T/bin/mkcert"
printf '{"helper": "fd00:f00d::53", "port": 8053, "node": "c0-2-1.c0-2.c0.incus"}\n' >"$T/mkcert.json"
shim() {
  (cd "$T/work" && in_n env PATH="$T/bin:$PATH" HOME="$T/home" CAROOT="$T/nodeca" FOREST_MKCERT_CONFIG="$T/mkcert.json" mkcert "$@")
}
run_expect 0 shim -CAROOT
expect_eq "$out" "$T/nodeca" "-CAROOT prints the directory"
expect_eq "$(sha256sum <"$T/nodeca/rootCA.pem")" "$(sha256sum <"$T/hostca/rootCA.pem")" '$(mkcert -CAROOT)/rootCA.pem is the root'
[ ! -e "$T/nodeca/rootCA-key.pem" ] && ok || fail "the node got a root key"
run_expect 0 shim -cert-file c.pem -key-file k.pem auth.app.incus
expect_contains "$out" '"auth.app.c0-2-1.c0-2.c0.incus"' "the family is reported"
verify() {  # verify CERT NAME
  openssl verify -x509_strict -purpose sslserver -CAfile "$T/hostca/rootCA.pem" -verify_hostname "$2" "$1" 2>&1
}
expect_contains "$(verify "$T/work/c.pem" auth.app.incus)" ": OK" "leaf chains to the host root (alias)"
expect_contains "$(verify "$T/work/c.pem" auth.app.c0-2-1.c0-2.c0.incus)" ": OK" "leaf valid for the canonical name"
expect_eq "$(openssl x509 -in "$T/work/c.pem" -noout -pubkey | sha256sum)" \
  "$(openssl pkey -in "$T/work/k.pem" -pubout | sha256sum)" "key made here matches the leaf"
expect_eq "$(stat -c %a "$T/work/k.pem")" "600" "key file is 0600"
expect_contains "$(openssl pkey -in "$T/work/k.pem" -noout -text | head -n1)" "2048 bit" "RSA 2048 by default, like mkcert"

run_expect 0 shim -ecdsa app.incus c0-2-1.incus
[ -s "$T/work/app.incus+1.pem" ] && [ -s "$T/work/app.incus+1-key.pem" ] && ok || fail "mkcert file naming (+1)"
expect_contains "$(openssl pkey -in "$T/work/app.incus+1-key.pem" -noout -text | head -n1)" "256 bit" "-ecdsa makes P-256"
expect_contains "$(verify "$T/work/app.incus+1.pem" c0-2-1.incus)" ": OK" "node name in the same leaf"
run_expect 0 shim -client app.incus
expect_contains "$(openssl x509 -in "$T/work/app.incus-client.pem" -noout -ext extendedKeyUsage)" "Client Authentication" "-client adds clientAuth"
run_expect 0 shim -pkcs12 app.incus
expect_contains "$(openssl pkcs12 -in "$T/work/app.incus.p12" -passin pass:changeit -nokeys 2>&1)" "BEGIN CERTIFICATE" "-pkcs12 with password changeit"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/work/own.key" -subj "/CN=app.incus" \
  -addext "subjectAltName=DNS:app.incus" -out "$T/work/own.csr" 2>/dev/null
run_expect 0 shim -csr own.csr -cert-file own.pem
expect_contains "$(verify "$T/work/own.pem" app.incus)" ": OK" "-csr signs an existing CSR"

echo "== refusals"
run_expect 1 shim peer.incus
expect_contains "$out" "published for peer.c0-2.c0.incus" "a sibling's alias is refused"
run_expect 1 shim c0-2.c0.incus
expect_contains "$out" "outside c0-2-1.c0-2.c0.incus" "the parent's name is refused"
run_expect 1 shim forest-ca.incus
expect_contains "$out" "reserved for the helper" "the helper's names are refused"
run_expect 1 shim localhost
expect_contains "$out" "only names under .incus" "names outside .incus are refused"
run_expect 2 shim -instal
expect_contains "$out" "flag provided but not defined: -instal" "unknown flags fail like mkcert"

body() {  # body CSRFILE PATHS_JSON
  python3 -c 'import json,sys; print(json.dumps({"csr": open(sys.argv[1]).read(), "label_paths": json.loads(sys.argv[2])}))' "$1" "$2"
}
sign() {  # sign SOURCE BODYFILE → status; reply in $T/reply
  in_n curl -s -o "$T/reply" -w '%{http_code}' --interface "$1" -X POST --data-binary "@$2" "$api/v1/sign-csr"
}
body "$T/work/own.csr" '["app"]' >"$T/own.json"
expect_eq "$(sign fd00:1110::25 "$T/own.json")" "403" "a workload address is no node"
expect_contains "$(cat "$T/reply")" "is not the uplink or node address" "unknown caller reason"
body "$T/work/own.csr" '["c0-2-1.app"]' >"$T/replay.json"
expect_eq "$(sign fd00:1000:0:1::1 "$T/replay.json")" "403" "c0-2 replays c0-2-1's CSR"
expect_contains "$(cat "$T/reply")" "was certified for c0-2-1.c0-2.c0.incus" "replay reason"
python3 - "$T/own.json" "$T/garbled.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
lines = d["csr"].splitlines()
mid = len(lines) // 2
lines[mid] = lines[mid][:10] + ("A" if lines[mid][10] != "A" else "B") + lines[mid][11:]
d["csr"] = "\n".join(lines) + "\n"
json.dump(d, open(sys.argv[2], "w"))
PY
expect_eq "$(sign fd00:1100:0:1::1 "$T/garbled.json")" "400" "garbled CSR"
openssl req -new -newkey rsa:1024 -nodes -keyout "$T/weak.key" -subj "/CN=app.incus" -addext "subjectAltName=DNS:app.incus" \
  -out "$T/weak.csr" 2>/dev/null
body "$T/weak.csr" '["app"]' >"$T/weak.json"
expect_eq "$(sign fd00:1100:0:1::1 "$T/weak.json")" "400" "RSA 1024 CSR"
expect_contains "$(cat "$T/reply")" "too weak" "weak key reason"
expect_eq "$(sign fd00:1100:0:1::1 "$T/own.json")" "200" "the same CSR from its own node"

echo "== every issuance is logged; key bindings survive kill -9"
log=$(cat "$T/state/ca/issued.jsonl")
serial=$(openssl x509 -in "$T/work/c.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
expect_contains "$log" "\"serial\":\"$serial\"" "issued.jsonl has the serial"
expect_contains "$log" '"caller":"c0-2-1.c0-2.c0.incus"' "issued.jsonl has the caller"
expect_contains "$(cat "$T/forestd.log")" "issued serial $serial to c0-2-1.c0-2.c0.incus from fd00:1100:0:1::1" "journal line"
metrics=$(in_n curl -s "$api/metrics")
expect_contains "$metrics" 'forestd_sign_csr_total{result="refused"}' "refusals counted"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
in_n curl -s --max-time 2 "$api/healthz" >/dev/null 2>&1 && fail "forestd still answers after kill -9" || ok
start || fail "forestd did not restart"
expect_eq "$(in_n curl -s -o /dev/null -w '%{http_code}' --interface fd00:f00d:0:1::1 -X POST --data-binary "@$T/export.json" "$api/v1/publish-root-registration")" "200" "republish"
expect_eq "$(sign fd00:1000:0:1::1 "$T/replay.json")" "403" "replay still refused after restart"
finish
