#!/usr/bin/env bash
# The CA broker and the mkcert shim on real sockets, without Incus. Two
# network namespaces this test creates: the helper (fd00:f00d::53, forestd
# --role helper) and a node c0-2-1 (its uplink fd00:1100:0:1::1, plus a
# workload address and c0-2's uplink to play other callers), joined by a
# veth. The root is made by the real mkcert (the host's root), staged by
# copying it into the helper's state. Checks: root retrieval, the shim's
# mkcert command line and output files, chains verified by openssl, refusals
# (siblings, helper names, unknown callers, replayed and garbled CSRs, weak
# keys), the issuance log, kill -9. Issue 15's holes: a service named like
# an ancestor (c0-2 in c0-2-1) no longer shadows c0-2.incus nor gets it
# signed; leaves with short aliases live 7 days, canonical-only ones 90; a
# pre-claimed alias is revoked when another node publishes it; `forest
# helper-revoke` and the CRL (openssl verify -crl_check rejects the revoked
# leaf, accepts the others); the zone serial grows across kill -9.
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

section "before staging: no root"
expect_eq "$(in_n curl -s -o "$T/reply" -w '%{http_code}' "$api/v1/root-ca")" "503" "root-ca before staging"
expect_contains "$(cat "$T/reply")" "forest ca stage" "the refusal says what to do"

section "the host's root, made by the real mkcert, staged into the helper's state"
(cd "$T/work" && CAROOT="$T/hostca" mkcert -cert-file host.pem -key-file host-key.pem host.example >/dev/null 2>&1) ||
  fail "real mkcert made no root"
mkdir -p "$T/state/ca" && chmod 700 "$T/state/ca"
cp "$T/hostca/rootCA.pem" "$T/hostca/rootCA-key.pem" "$T/state/ca/"
expect_eq "$(in_n curl -s "$api/v1/root-ca" | sha256sum)" "$(sha256sum <"$T/hostca/rootCA.pem")" "GET /v1/root-ca is the host's rootCA.pem"

section "the shim in c0-2-1: an unchanged mkcert script"
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

section "refusals"
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

section "every issuance is logged; key bindings survive kill -9"
log=$(cat "$T/state/ca/issued.jsonl")
serial=$(openssl x509 -in "$T/work/c.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
expect_contains "$log" "\"serial\":\"$serial\"" "issued.jsonl has the serial"
expect_contains "$log" '"caller":"c0-2-1.c0-2.c0.incus"' "issued.jsonl has the caller"
expect_contains "$(cat "$T/forestd.log")" "issued serial $serial to c0-2-1.c0-2.c0.incus from fd00:1100:0:1::1" "journal line"
metrics=$(in_n curl -s "$api/metrics")
expect_contains "$metrics" 'forestd_sign_csr_total{result="refused"}' "refusals counted"
publish() {  # publish EXPORT_FILE → status
  in_n curl -s -o "$T/reply" -w '%{http_code}' --interface fd00:f00d:0:1::1 -X POST --data-binary "@$1" "$api/v1/publish-root-registration"
}
serial_now() { in_n curl -s "$api/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["serial"])'; }
serial_before=$(serial_now)
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
in_n curl -s --max-time 2 "$api/healthz" >/dev/null 2>&1 && fail "forestd still answers after kill -9" || ok
start || fail "forestd did not restart"
serial_after=$(serial_now)
[ "$serial_after" -gt "$serial_before" ] && ok || fail "zone serial after kill -9: $serial_after, before: $serial_before (must grow)"
expect_eq "$(publish "$T/export.json")" "200" "republish"
expect_eq "$(sign fd00:1000:0:1::1 "$T/replay.json")" "403" "replay still refused after restart"
[ "$(serial_now)" -ge "$serial_after" ] && ok || fail "the serial went down after a publish"

section "lifetimes: 7 days with short aliases, 90 with canonical names only"
run_expect 0 shim -cert-file any.pem -key-file any-key.pem anything.incus
expect_contains "$out" "valid 7 days" "the shim says the lifetime"
lifetime() { echo $(( $(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s) - $(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s) )); }
expect_eq "$(lifetime "$T/work/any.pem")" "$((7 * 86400))" "anything.incus for c0-2-1 lives 7 days"
expect_contains "$(openssl x509 -in "$T/work/any.pem" -noout -ext crlDistributionPoints)" "http://forest-ca.incus:8053/v1/crl" "the leaf names the CRL"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/c0.key" -subj "/CN=c0.incus" \
  -addext "subjectAltName=DNS:c0.incus" -out "$T/c0.csr" 2>/dev/null
body "$T/c0.csr" '[""]' >"$T/c0.json"
expect_eq "$(sign fd00:f00d:0:1::1 "$T/c0.json")" "200" "the root c0 signs its own name"
json "$T/reply" 'd["certificate"]' >"$T/c0.pem"
expect_eq "$(lifetime "$T/c0.pem")" "$((90 * 86400))" "c0.incus (canonical only) lives 90 days"

section "CRL: GET /v1/crl is signed by the root's key; openssl -crl_check with the CRL-signing twin"
expect_eq "$(in_n curl -s -o "$T/crl.pem" -w '%{http_code}' "$api/v1/crl")" "200" "GET /v1/crl"
in_n curl -s "$api/v1/crl-root" >"$T/crl-root.pem"
expect_eq "$(openssl x509 -in "$T/crl-root.pem" -noout -pubkey | sha256sum)" "$(openssl x509 -in "$T/hostca/rootCA.pem" -noout -pubkey | sha256sum)" "the twin has the root's key"
expect_contains "$(openssl crl -in "$T/crl.pem" -noout -verify -CAfile "$T/crl-root.pem" 2>&1)" "verify OK" "the CRL verifies"
expect_contains "$(openssl crl -in "$T/crl.pem" -noout -nextupdate)" "nextUpdate=" "nextUpdate is set"
in_n curl -s "$api/v1/crl?format=der" >"$T/crl.der"
expect_contains "$(openssl crl -inform DER -in "$T/crl.der" -noout -issuer)" "mkcert development CA" "DER CRL"
crlcheck() { openssl verify -crl_check -CAfile "$T/crl-root.pem" -CRLfile "$1" "$2" 2>&1; }
expect_contains "$(crlcheck "$T/crl.pem" "$T/work/any.pem")" ": OK" "an unrevoked leaf passes -crl_check"

section "a pre-claimed alias is revoked when another node publishes it"
any_serial=$(openssl x509 -in "$T/work/any.pem" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f' | sed 's/^0*//')
python3 - "$T/export.json" "$T/export2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["records"].append({"name": "anything.c0-2.c0.incus", "address": "fd00:1100::8"})
json.dump(d, open(sys.argv[2], "w"))
PY
expect_eq "$(publish "$T/export2.json")" "200" "c0-2 publishes a workload anything"
in_n curl -s "$api/v1/crl" >"$T/crl2.pem"
# openssl prints the serial in whole bytes (a leading 0 when it starts below 0x10).
crl_text=$(openssl crl -in "$T/crl2.pem" -noout -text | tr 'A-Z' 'a-z' | tr -d ' :\n' | sed 's/serialnumber0*/serialnumber/g')
expect_contains "$crl_text" "serialnumber$any_serial" "the CRL lists c0-2-1's old anything.incus leaf"
expect_contains "$(crlcheck "$T/crl2.pem" "$T/work/any.pem")" "certificate revoked" "openssl -crl_check rejects it"
expect_contains "$(crlcheck "$T/crl2.pem" "$T/work/c.pem")" ": OK" "other leaves of c0-2-1 still pass"
expect_contains "$(cat "$T/forestd.log")" "revoked serial $any_serial of c0-2-1.c0-2.c0.incus: superseded: anything.incus is published for anything.c0-2.c0.incus" "the helper says why"
run_expect 1 shim anything.incus
expect_contains "$out" "published for anything.c0-2.c0.incus" "anything.incus is no longer signed for c0-2-1"

section "issue 15: a service c0-2 in c0-2-1 neither shadows nor gets c0-2.incus"
python3 - "$T/export2.json" "$T/export3.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["records"].append({"name": "c0-2.c0-2-1.c0-2.c0.incus", "address": "fd00:1110::25"})
json.dump(d, open(sys.argv[2], "w"))
PY
expect_eq "$(publish "$T/export3.json")" "200" "the forged service reaches the helper"
forest_json=$(in_n curl -s "$api/v1/forest")
alias_of() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(" ".join(n["name"] for n in d["names"] if sys.argv[2] in n["aliases"]))' "$forest_json" "$1"; }
expect_eq "$(alias_of c0-2.incus)" "c0-2.c0.incus" "c0-2.incus stays c0-2's"
expect_eq "$(alias_of c0-2.c0-2-1.incus)" "c0-2.c0-2-1.c0-2.c0.incus" "the service keeps its other aliases"
expect_contains "$(cat "$T/forestd.log")" "c0-2.incus (alias candidate of c0-2.c0-2-1.c0-2.c0.incus) held back: it is a name of node c0-2.c0.incus" "the helper logs what it held back"
run_expect 1 shim c0-2.incus
expect_contains "$out" "c0-2.incus is published for c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's subtree" "sign-csr of c0-2.incus from c0-2-1 is refused"

section "forest helper-revoke (what forest cert revoke runs in the helper)"
c_serial=$(openssl x509 -in "$T/work/c.pem" -noout -serial | cut -d= -f2)
run_expect 0 "$FOREST" helper-revoke --state "$T/state" --serial "$c_serial" --reason "test"
expect_contains "$out" "revoked serial $serial of c0-2-1.c0-2.c0.incus" "helper-revoke by serial"
run_expect 1 "$FOREST" helper-revoke --state "$T/state" --serial "$c_serial"
expect_contains "$out" "nothing to revoke" "revoking twice says so"
run_expect 1 "$FOREST" helper-revoke --state "$T/state" --serial abc123
expect_contains "$out" "was not issued by this forest's CA" "an unknown serial is refused"
run_expect 0 "$FOREST" helper-revoke --state "$T/state" --node c0-2-1 --dry-run --json
expect_contains "$out" '"dry_run": true' "dry run"
in_n curl -s "$api/v1/crl" >"$T/crl3.pem"
expect_contains "$(crlcheck "$T/crl3.pem" "$T/work/c.pem")" "certificate revoked" "the running helper serves the revocation at once"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
start || fail "forestd did not restart"
in_n curl -s "$api/v1/crl" >"$T/crl4.pem"
expect_contains "$(crlcheck "$T/crl4.pem" "$T/work/c.pem")" "certificate revoked" "revocations survive kill -9"
expect_contains "$(crlcheck "$T/crl4.pem" "$T/work/any.pem")" "certificate revoked" "automatic revocations too"
finish
