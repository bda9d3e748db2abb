#!/usr/bin/env bash
# The trust plane on a real forest (issue 5 acceptance). `forest up --caroot`
# makes an mkcert-compatible root on the host (the real mkcert then signs with
# it) and stages it into the helper's state only: the key is searched for in
# every container's rootfs. `forest cert issue c0-2-1 <workload> --service
# auth` has c0-2-1 get the workload's names signed and deploy cert+key; from a
# host-equivalent mount namespace curl and headless Chromium (the root in its
# NSS db; a screenshot is kept) open https://auth.<workload>.incus. Inside
# c0-2-1 an unchanged `mkcert -install && mkcert …` script works; sibling and
# helper names are refused; a caller that is no node is refused; forestd
# renews a deployment when it is due and when it was revoked. Issue 15's
# holes, each reproduced: a service c0-2 registered in c0-2-1 (refused with
# the reason, then forced into the export) leaves c0-2.incus c0-2's and is
# not signed for c0-2-1; a pre-claimed anything.incus leaf lives 7 days and
# is revoked (the CRL lists it) once c0-2 publishes anything; `forest cert
# revoke`; the zone serial grows across kill -9 of the helper's forestd.
# Needs root and a running incusd. FOREST_TRUST_REUSE=<topology file> runs the
# checks against a forest that is already up (developer aid).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
forest_tests_need_incus
for tool in mkcert certutil chromium openssl kdig; do
  command -v "$tool" >/dev/null || { echo "forest_trust_test: $tool missing; run scripts/setup" >&2; exit 1; }
done
HELPER=fd00:f00d::53
W=fasthtml-plus-integration-test
ARTIFACTS=${FOREST_ARTIFACT_DIR:-$T/artifacts}
mkdir -p "$ARTIFACTS"

if [ -n "${FOREST_TRUST_REUSE:-}" ]; then
  topo=$FOREST_TRUST_REUSE
  CAROOT_DIR=${FOREST_TRUST_CAROOT:?FOREST_TRUST_CAROOT names the caroot of the reused forest}
  export FOREST_STATE_DIR=${FOREST_STATE_DIR:-/var/lib/forest-tests}
  cleanup() { rm -rf "$T"; }
else
  suffix=$(printf '%04x' $((RANDOM)))
  name="tr$suffix"
  topo="$T/trust.yaml"
  CAROOT_DIR="$T/caroot"
  {
    forest_chain_head "$name" "ftr$suffix"
    cat <<EOF2
        workloads:
          - name: peer
            tls: true
        children:
          - name: c0-2-1
            slot: 1
            workloads:
              - name: $W
EOF2
  } >"$topo"
  forest_tests_begin "$FOREST"
  cleanup() {
    set +e
    "$FOREST" down "$topo" >"$T/down.log" 2>&1 || cat "$T/down.log" >&2
    rm -rf "$T"
  }
fi
trap cleanup EXIT
project=$(sed -n 's/^name: //p' "$topo" | head -n1)

section "up (the root is made in an empty CAROOT and staged)"
forest_up --caroot "$CAROOT_DIR" "$topo" || { fail "up failed"; finish; }
ROOT="$CAROOT_DIR/rootCA.pem"
[ -s "$ROOT" ] && [ -s "$CAROOT_DIR/rootCA-key.pem" ] && ok || fail "no root in $CAROOT_DIR"
[ -n "${FOREST_TRUST_REUSE:-}" ] || expect_contains "$(cat "$T/up.log")" "created a new mkcert-compatible root in $CAROOT_DIR" "up says it made the root"
expect_eq "$(stat -c %a "$CAROOT_DIR/rootCA-key.pem")" "400" "root key is 0400 like mkcert's"
expect_contains "$(openssl x509 -in "$ROOT" -noout -subject)" "mkcert development CA" "mkcert's subject"
(cd "$T" && CAROOT="$CAROOT_DIR" mkcert -cert-file interop.pem -key-file interop-key.pem interop.example >/dev/null 2>&1) ||
  fail "the real mkcert cannot use forest's root"
expect_contains "$(openssl verify -CAfile "$ROOT" "$T/interop.pem" 2>&1)" ": OK" "the real mkcert signs with forest's root"
expect_eq "$(curl -s "http://[$HELPER]:8053/v1/root-ca" | sha256sum)" "$(sha256sum <"$ROOT")" "the helper serves the host's root"
out=$("$FOREST" ca stage "$project" --caroot "$CAROOT_DIR" 2>&1) || fail "ca stage: $out"
expect_contains "$out" "already staged" "ca stage is idempotent"

echo "nameserver $HELPER" >"$T/resolv.conf"
resolves() { [ -n "$(q "$1")" ]; }
in_node() { local n=$1; shift; "$FOREST" exec "$n" -- "$@"; }

section "forest cert issue: c0-2-1 deploys cert+key into $W"
out=$("$FOREST" cert issue c0-2-1 "$W" --service auth --reload "systemctl restart forest-tls 2>/dev/null || true" 2>&1) ||
  fail "cert issue: $out"
expect_contains "$out" "auth.$W.c0-2-1.c0-2.c0.incus" "issued for the service's canonical name"
in_node "$W" sh -c 'mkdir -p /srv/www && echo fasthtml-tls-ok >/srv/www/index.html &&
  systemd-run -q --unit forest-tls --property=Restart=always python3 -c "
import http.server, ssl, functools
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(\"/etc/forest/tls/cert.pem\", \"/etc/forest/tls/key.pem\")
class S(http.server.ThreadingHTTPServer):
    address_family = __import__(\"socket\").AF_INET6
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=\"/srv/www\")
s = S((\"::\", 443), h)
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
"' || fail "TLS server in $W"
expect_eq "$(in_node "$W" stat -c %a /etc/forest/tls/key.pem)" "600" "key in the workload is 0600"
in_node c0-2-1 forest register-local-record --name "auth.$W.incus" --target-name "$W.incus" >/dev/null || fail "register auth"
wait_for 30 "auth.$W.incus resolves" resolves "auth.$W.incus"
wait_for 30 "$W.incus resolves" resolves "$W.incus"

section "tls: true in the topology: c0-2 deploys a certificate into peer by itself"
peer_cert() { in_node peer cat /etc/forest/tls/cert.pem >"$T/peer.pem" 2>/dev/null && [ -s "$T/peer.pem" ]; }
wait_for 60 "peer gets its certificate" peer_cert
expect_contains "$(openssl verify -CAfile "$ROOT" -verify_hostname peer.c0-2.c0.incus "$T/peer.pem" 2>&1)" ": OK" "peer's certificate (tls: true)"

section "HTTPS by name from the host"
fetch() { hostns curl -s --max-time 10 --cacert "$ROOT" "$@"; }
wait_for 20 "https://auth.$W.incus answers" fetch "https://auth.$W.incus/"
expect_eq "$(fetch "https://auth.$W.incus/")" "fasthtml-tls-ok" "curl https://auth.$W.incus"
expect_eq "$(fetch "https://$W.c0-2-1.c0-2.c0.incus/")" "fasthtml-tls-ok" "curl https://$W.c0-2-1.c0-2.c0.incus"
expect_eq "$(fetch "https://$W.incus/")" "fasthtml-tls-ok" "curl https://$W.incus"
hostns curl -s --max-time 10 "https://auth.$W.incus/" >/dev/null 2>&1 && fail "curl trusted the leaf without the root" || ok

section "headless Chromium with the root in its NSS db"
chrome() {  # chrome HOME ARGS...
  local home=$1; shift
  hostns env HOME="$home" timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$home/profile" "$@" 2>/dev/null
}
mkdir -p "$T/chrome/.pki/nssdb" "$T/nochrome/.pki/nssdb"
certutil -N -d "sql:$T/chrome/.pki/nssdb" --empty-password && certutil -N -d "sql:$T/nochrome/.pki/nssdb" --empty-password
certutil -A -d "sql:$T/chrome/.pki/nssdb" -t C,, -n "forest test root" -i "$ROOT"
expect_contains "$(chrome "$T/chrome" --dump-dom "https://auth.$W.incus/")" "fasthtml-tls-ok" "Chromium loads the page without a certificate error"
chrome "$T/chrome" --window-size=800,300 --screenshot="$ARTIFACTS/forest-trust-chromium.png" "https://auth.$W.incus/" >/dev/null
[ -s "$ARTIFACTS/forest-trust-chromium.png" ] && ok || fail "no screenshot"
echo "screenshot: $ARTIFACTS/forest-trust-chromium.png"
nodom=$(chrome "$T/nochrome" --dump-dom "https://auth.$W.incus/")
[[ "$nodom" != *fasthtml-tls-ok* ]] && ok || fail "Chromium loaded the page without the root (the check cannot fail)"

section "an unchanged mkcert script inside c0-2-1"
out=$(in_node c0-2-1 sh -c 'cd /root && mkcert -install && mkcert -cert-file c.pem -key-file k.pem auth.app.incus' 2>&1) ||
  fail "mkcert script in c0-2-1: $out"
in_node c0-2-1 cat /root/c.pem >"$T/c021.pem"
expect_contains "$(openssl verify -CAfile "$ROOT" -verify_hostname auth.app.incus "$T/c021.pem" 2>&1)" ": OK" "c0-2-1's leaf chains to the host root"
expect_eq "$(in_node c0-2-1 sh -c 'cat "$(mkcert -CAROOT)/rootCA.pem"' | sha256sum)" "$(sha256sum <"$ROOT")" '$(mkcert -CAROOT)/rootCA.pem'
expect_eq "$(in_node c0-2-1 curl -s --max-time 10 "https://auth.$W.incus/")" "fasthtml-tls-ok" "the node trusts the root (system store)"
expect_contains "$(in_node c0-2-1 certutil -L -d sql:/root/.pki/nssdb 2>&1)" "mkcert development CA" "the root is in the node's NSS db"

section "refusals"
run_expect 1 in_node c0-2-1 mkcert peer.incus
expect_contains "$out" "published for peer.c0-2.c0.incus" "a sibling's name is refused"
run_expect 1 in_node c0-2-1 mkcert forest-ca.incus
expect_contains "$out" "reserved for the helper" "the helper's names are refused"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/h.key" -subj "/CN=c0.incus" \
  -addext "subjectAltName=DNS:c0.incus" -out "$T/h.csr" 2>/dev/null
python3 -c 'import json,sys; print(json.dumps({"csr": open(sys.argv[1]).read(), "label_paths": [""]}))' "$T/h.csr" >"$T/h.json"
expect_eq "$(curl -s -o "$T/reply" -w '%{http_code}' -X POST --data-binary "@$T/h.json" "http://[$HELPER]:8053/v1/sign-csr")" \
  "403" "the host (no node) is refused"
expect_contains "$(cat "$T/reply")" "is not the uplink or node address" "refusal reason for a non-node"

section "issue 15: a service named like an ancestor (c0-2 in c0-2-1)"
in_helper() { incus exec --project "forest-$project" forest-helper -- "$@"; }
run_expect 1 in_node c0-2-1 forest register-local-record --name c0-2.incus --target-name "$W.incus"
expect_contains "$out" "c0-2.incus is a name of node c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's subtree" \
  "register-local-record refuses with the reason"
# Forced into the export anyway: c0-2-1's registrations file written by hand.
in_node c0-2-1 sh -c "printf '%s\n' '{\"schema\":1,\"services\":[{\"name\":\"auth.$W\",\"target\":\"$W\"},{\"name\":\"c0-2\",\"target\":\"$W\"}]}' >/var/lib/forestd/local-records.json &&
  curl -sf -X POST -d '{}' http://[fd00:1110::1]:8053/v1/poke >/dev/null" || fail "forge + poke"
wait_for 45 "the forced service reaches the helper" resolves "c0-2.c0-2-1.c0-2.c0.incus"
expect_eq "$(q c0-2.incus)" "$(q c0-2.c0.incus)" "c0-2.incus still answers c0-2's address at the helper"
held_back() { in_helper journalctl -u forestd --no-pager -n 400 2>&1 | grep -qF "c0-2.incus (alias candidate of c0-2.c0-2-1.c0-2.c0.incus) held back"; }
wait_for 20 "the helper logs the held-back alias" held_back
run_expect 1 in_node c0-2-1 mkcert c0-2.incus
expect_contains "$out" "c0-2.incus is published for c0-2.c0.incus, outside c0-2-1.c0-2.c0.incus's subtree" \
  "sign-csr of c0-2.incus from c0-2-1 (the mkcert shim) is refused"

section "a pre-claimed short alias is short-lived and revoked once another node publishes it"
run_expect 0 in_node c0-2-1 sh -c 'cd /root && mkcert -cert-file any.pem -key-file any-key.pem anything.incus'
expect_contains "$out" "valid 7 days" "the shim says the lifetime"
in_node c0-2-1 cat /root/any.pem >"$T/any.pem"
lifetime() { echo $(( $(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s) - $(date -d "$(openssl x509 -in "$1" -noout -startdate | cut -d= -f2)" +%s) )); }
expect_eq "$(lifetime "$T/any.pem")" "$((7 * 86400))" "anything.incus for c0-2-1 lives 7 days"
curl -s "http://[$HELPER]:8053/v1/crl-root" >"$T/crl-root.pem"
crl_verdict() {  # crl_verdict LEAF: openssl's -crl_check against the helper's CRL now
  curl -s "http://[$HELPER]:8053/v1/crl" >"$T/crl.pem"
  openssl verify -crl_check -CAfile "$T/crl-root.pem" -CRLfile "$T/crl.pem" "$1" 2>&1
}
expect_contains "$(crl_verdict "$T/any.pem")" ": OK" "not revoked while nobody else has the name"
in_node c0-2 forest register-local-record --name anything.incus --target-name c0-2.incus >/dev/null || fail "c0-2 registers anything"
anything_is_c02() { [ -n "$(q anything.incus)" ] && [ "$(q anything.incus)" = "$(q c0-2.c0.incus)" ]; }
wait_for 45 "anything.incus is c0-2's" anything_is_c02
revoked() { [[ "$(crl_verdict "$1")" == *"certificate revoked"* ]]; }
wait_for 20 "the CRL lists c0-2-1's old anything.incus leaf" revoked "$T/any.pem"
expect_contains "$(crl_verdict "$T/c021.pem")" ": OK" "c0-2-1's other leaves stay valid"
run_expect 1 in_node c0-2-1 mkcert anything.incus
expect_contains "$out" "published for anything.c0-2.c0.incus" "anything.incus is no longer signed for c0-2-1"

section "forest cert revoke on the host"
run_expect 0 "$FOREST" cert revoke "$project" --serial "$(openssl x509 -in "$T/c021.pem" -noout -serial | cut -d= -f2)" --reason test
expect_contains "$out" "revoked serial" "cert revoke by serial"
expect_contains "$out" "/v1/crl lists" "cert revoke checks the CRL"
expect_contains "$(crl_verdict "$T/c021.pem")" "certificate revoked" "openssl -crl_check rejects the revoked leaf"
run_expect 1 "$FOREST" cert revoke "$project" --serial abc123
expect_contains "$out" "was not issued by this forest's CA" "an unknown serial is refused"

section "renewal: forestd renews a due certificate (peer in c0-2) and a revoked one ($W in c0-2-1)"
serial_of() { in_node "$1" cat /etc/forest/tls/cert.pem | openssl x509 -noout -serial | cut -d= -f2; }
in_node "$W" cat /etc/forest/tls/cert.pem >"$T/w.pem"
expect_eq "$(lifetime "$T/w.pem")" "$((7 * 86400))" "a deployed leaf with short aliases lives 7 days"
w_serial=$(serial_of "$W") p_serial=$(serial_of peer)
# peer's dates moved as if 5 of its 7 days had passed: due (a third of its life is left).
in_node c0-2 sh -c 'now=$(date +%s); flock /var/lib/forestd/certs.lock sed -i -E \
  "s/\"not_before\": [0-9]+/\"not_before\": $((now - 5 * 86400))/; s/\"not_after\": [0-9]+/\"not_after\": $((now + 2 * 86400))/" \
  /var/lib/forestd/certs.json' || fail "age peer's deployment"
run_expect 0 "$FOREST" cert revoke "$project" --serial "$w_serial"
renewed() { [ "$(serial_of "$1")" != "$2" ]; }
wait_for 75 "forestd renews the revoked certificate" renewed "$W" "$w_serial"
wait_for 45 "forestd renews the due certificate" renewed peer "$p_serial"
in_journal() { in_node "$1" journalctl -u forestd --no-pager -n 200 2>&1 | grep -qF "$2"; }
wait_for 20 "the revoked renewal is in c0-2-1's journal" in_journal c0-2-1 "renewed (revoked by the forest CA)"
wait_for 20 "the due renewal is in c0-2's journal" in_journal c0-2 "renewed (due: expires in"
in_node "$W" cat /etc/forest/tls/cert.pem >"$T/w2.pem"
expect_contains "$(crl_verdict "$T/w2.pem")" ": OK" "the new certificate passes -crl_check"
wait_for 20 "https after renewal" fetch "https://auth.$W.incus/"
out=$(in_node c0-2-1 forest cert list --json)
expect_contains "$out" "\"workload\": \"$W\"" "cert list --json"

section "the zone serial grows across kill -9 of the helper's forestd"
helper_serial() { curl -s --max-time 2 "http://[$HELPER]:8053/healthz" | python3 -c 'import json,sys; print(json.load(sys.stdin)["serial"])'; }
s1=$(helper_serial)
in_helper systemctl kill -s KILL forestd || fail "kill -9 the helper's forestd"
sleep 1
wait_for 30 "the helper is back" helper_serial
s2=$(helper_serial)
[ -n "$s1" ] && [ -n "$s2" ] && [ "$s2" -gt "$s1" ] && ok || fail "zone serial after kill -9: [$s2], before: [$s1] (must grow)"
expect_contains "$(kdig @$HELPER +timeout=2 incus SOA 2>/dev/null)" " $s2 " "the SOA carries it"

section "the root key is in the helper's state and nowhere else"
pool_name=$(sed -n 's/^ *storage_pool: *//p' "$topo" | head -n1)
pool_name=${pool_name:-default}
pool=$(incus storage get "$pool_name" source 2>/dev/null || true)
[ -d "$pool/containers" ] || pool=/var/lib/incus/storage-pools/$pool_name
needle=$(sed -n 2p "$CAROOT_DIR/rootCA-key.pem")
helper_dirs=() other_dirs=()
for d in "$pool"/containers/forest-"${project}"_*; do
  if [ -e "$d/rootfs/var/lib/forestd/ca" ]; then helper_dirs+=("$d"); else other_dirs+=("$d"); fi
done
expect_eq "${#helper_dirs[@]}" "1" "one helper rootfs"
nested() {  # the rootfs of every container inside a node's own Incus, recursively
  local r
  for r in "$1"/rootfs/var/lib/incus/storage-pools/*/containers/*; do
    [ -d "$r/rootfs" ] || continue
    echo "$r"
    nested "$r"
  done
}
all_others=$(for d in "${other_dirs[@]}"; do echo "$d"; nested "$d"; done | wc -l)
expect_eq "$all_others" "5" "rootfs searched: c0, c0-2, peer, c0-2-1, $W"
grep -rqlF --exclude-dir=proc --exclude-dir=sys -e "$needle" "${helper_dirs[0]}/rootfs/var/lib/forestd" && ok ||
  fail "the search does not find the key in the helper (it could not fail)"
hits=$(grep -rlF --exclude-dir=proc --exclude-dir=sys --exclude-dir=dev -e "$needle" "${other_dirs[@]}" 2>/dev/null || true)
expect_eq "$hits" "" "the root key is in no node or workload rootfs (nested ones included)"
finish
