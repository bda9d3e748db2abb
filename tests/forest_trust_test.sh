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
# renews a deployment when it is due.
# Needs root and a running incusd. FOREST_TRUST_REUSE=<topology file> runs the
# checks against a forest that is already up (developer aid).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/forest_tests.sh"
if [ "$(id -u)" -ne 0 ] || ! curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 >/dev/null; then
  echo "forest_trust_test: needs root and a running incusd (scripts/setup)" >&2
  exit 1
fi
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

echo "== up (the root is made in an empty CAROOT and staged)"
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

echo "== forest cert issue: c0-2-1 deploys cert+key into $W"
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

echo "== tls: true in the topology: c0-2 deploys a certificate into peer by itself"
peer_cert() { in_node peer cat /etc/forest/tls/cert.pem >"$T/peer.pem" 2>/dev/null && [ -s "$T/peer.pem" ]; }
wait_for 60 "peer gets its certificate" peer_cert
expect_contains "$(openssl verify -CAfile "$ROOT" -verify_hostname peer.c0-2.c0.incus "$T/peer.pem" 2>&1)" ": OK" "peer's certificate (tls: true)"

echo "== HTTPS by name from the host"
fetch() { hostns curl -s --max-time 10 --cacert "$ROOT" "$@"; }
wait_for 20 "https://auth.$W.incus answers" fetch "https://auth.$W.incus/"
expect_eq "$(fetch "https://auth.$W.incus/")" "fasthtml-tls-ok" "curl https://auth.$W.incus"
expect_eq "$(fetch "https://$W.c0-2-1.c0-2.c0.incus/")" "fasthtml-tls-ok" "curl https://$W.c0-2-1.c0-2.c0.incus"
expect_eq "$(fetch "https://$W.incus/")" "fasthtml-tls-ok" "curl https://$W.incus"
hostns curl -s --max-time 10 "https://auth.$W.incus/" >/dev/null 2>&1 && fail "curl trusted the leaf without the root" || ok

echo "== headless Chromium with the root in its NSS db"
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

echo "== an unchanged mkcert script inside c0-2-1"
out=$(in_node c0-2-1 sh -c 'cd /root && mkcert -install && mkcert -cert-file c.pem -key-file k.pem auth.app.incus' 2>&1) ||
  fail "mkcert script in c0-2-1: $out"
in_node c0-2-1 cat /root/c.pem >"$T/c021.pem"
expect_contains "$(openssl verify -CAfile "$ROOT" -verify_hostname auth.app.incus "$T/c021.pem" 2>&1)" ": OK" "c0-2-1's leaf chains to the host root"
expect_eq "$(in_node c0-2-1 sh -c 'cat "$(mkcert -CAROOT)/rootCA.pem"' | sha256sum)" "$(sha256sum <"$ROOT")" '$(mkcert -CAROOT)/rootCA.pem'
expect_eq "$(in_node c0-2-1 curl -s --max-time 10 "https://auth.$W.incus/")" "fasthtml-tls-ok" "the node trusts the root (system store)"
expect_contains "$(in_node c0-2-1 certutil -L -d sql:/root/.pki/nssdb 2>&1)" "mkcert development CA" "the root is in the node's NSS db"

echo "== refusals"
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

echo "== renewal: forestd renews a deployment that is due"
before=$(in_node "$W" cat /etc/forest/tls/cert.pem | openssl x509 -noout -serial)
out=$("$FOREST" cert issue c0-2-1 "$W" --service auth --renew-before-days 3650 \
  --reload "systemctl restart forest-tls 2>/dev/null || true" 2>&1) || fail "cert issue again: $out"
issued=$(in_node "$W" cat /etc/forest/tls/cert.pem | openssl x509 -noout -serial)
[ "$issued" != "$before" ] && ok || fail "issuing again made no new certificate"
renewed() { [ "$(in_node "$W" cat /etc/forest/tls/cert.pem | openssl x509 -noout -serial)" != "$issued" ]; }
wait_for 75 "forestd renews the due certificate" renewed
# The certificate is in place a moment before forestd logs it, and the
# journal of a nested node can lag further: wait for the line too.
in_journal() { in_node c0-2-1 journalctl -u forestd --no-pager -n 200 2>&1 | grep -qF "renewed (expires within 3650 days)"; }
wait_for 20 "the renewal is in forestd's journal" in_journal
"$FOREST" cert issue c0-2-1 "$W" --service auth --reload "systemctl restart forest-tls 2>/dev/null || true" >/dev/null 2>&1 ||
  fail "cert issue with the default renewal"
wait_for 20 "https after renewal" fetch "https://auth.$W.incus/"
out=$(in_node c0-2-1 forest cert list --json)
expect_contains "$out" "\"workload\": \"$W\"" "cert list --json"

echo "== the root key is in the helper's state and nowhere else"
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
