#!/usr/bin/env bash
# bench/sign_csr.sh [BUILD_DIR]: the helper's CA broker (POST /v1/sign-csr
# over HTTP) against the two local ways of doing the same work, in the same
# run: the real `mkcert -csr` and `openssl x509 -req`, for ECDSA P-256 and
# RSA 2048 CSRs. Prints certificates/s, latency p50/p99 and the ratios.
#
# How the figures are obtained:
#  1. Two network namespaces of our own joined by a veth: the helper
#     (fd00:f00d::53, forestd --role helper, one io_context thread) and a
#     node c0-2-1 (its uplink fd00:1100:0:1::1, the caller identity). c0
#     publishes a view from its uplink; the root is made by the real mkcert
#     and copied into the helper's state. Nothing leaves the namespaces.
#  2. N (default 100) CSRs of each kind are made beforehand with openssl req
#     (key generation is the node's work, not the signer's), each asking for
#     app.incus.
#  3. forestd: a Python client in the node namespace posts them one after
#     another (a new TCP connection per request, as the shim does) and times
#     each; then CLIENTS (default 4) such clients in parallel for throughput.
#     Each reply is checked (HTTP 200, a certificate) before it counts; the
#     broker also computes the SAN family and checks the caller and the key
#     binding, and appends to its issuance log (fsync) each time.
#  4. Peers: `mkcert -csr F -cert-file O` with CAROOT = the same root, and
#     `openssl x509 -req -CA -CAkey -days 825 -extfile (SAN, EKU)` per CSR,
#     sequentially; each is a process that loads the root key per
#     certificate, which is how they are used. Same CSRs, same root.
#  5. Ratios > 1 mean forestd signs faster than the peer.
set -euo pipefail
build=${1:-build}
FORESTD=${FORESTD:-$build/forestd}
N=${N:-100}
CLIENTS=${CLIENTS:-4}
[ "$(id -u)" -eq 0 ] || { echo "sign_csr: needs root (network namespaces)" >&2; exit 1; }
for t in mkcert openssl python3 curl; do command -v "$t" >/dev/null || { echo "sign_csr: $t missing" >&2; exit 1; }; done
T=$(mktemp -d /tmp/forest-bench-csr.XXXXXX)
. "$(dirname "$0")/../tests/trust_netns.sh"
pid=""
cleanup() {
  trust_netns_down
  rm -rf "$T"
}
trap cleanup EXIT
trust_netns_up bc
api="http://[fd00:f00d::53]:8053"

mkdir -p "$T/etc" "$T/state/ca" "$T/csr" "$T/out"
trust_topology "$T/etc"
(cd "$T" && CAROOT="$T/ca" mkcert -cert-file x.pem -key-file x-key.pem warmup.example >/dev/null 2>&1)
cp "$T/ca/rootCA.pem" "$T/ca/rootCA-key.pem" "$T/state/ca/"
trust_helper_start "$T/etc" "$T/state" "$T/forestd.log" taskset -c 0 || { echo "sign_csr: the helper did not come up" >&2; exit 1; }
cat >"$T/export.json" <<'EOF2'
{"schema":1,"source_node":"c0","records":[{"name":"c0.incus","address":"fd00:1000::1"},{"name":"c0-2.c0.incus","address":"fd00:1100::1"},{"name":"c0-2-1.c0-2.c0.incus","address":"fd00:1110::1"}],"route":{"subtree":"fd00:1000::/20","next_hop":"fd00:f00d:0:1::1","ready":true,"uplink_interface":"eth0"},"descendants":[{"name":"c0-2.c0.incus","route":{"subtree":"fd00:1100::/24","next_hop":"fd00:1000:0:1::1","ready":true,"uplink_interface":"eth0"}},{"name":"c0-2-1.c0-2.c0.incus","route":{"subtree":"fd00:1110::/28","next_hop":"fd00:1100:0:1::1","ready":true,"uplink_interface":"eth0"}}]}
EOF2
ip netns exec "$nns" curl -sf --interface fd00:f00d:0:1::1 -X POST --data-binary "@$T/export.json" \
  "$api/v1/publish-root-registration" >/dev/null

echo "sign_csr: making $N ECDSA P-256 and $N RSA 2048 CSRs for app.incus ..."
for kind in ecdsa rsa; do
  for i in $(seq 1 "$N"); do
    if [ "$kind" = ecdsa ]; then newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256); else newkey=(-newkey rsa:2048); fi
    openssl req -new "${newkey[@]}" -nodes -keyout /dev/null -subj "/CN=app.incus" \
      -addext "subjectAltName=DNS:app.incus" -out "$T/csr/$kind-$i.csr" 2>/dev/null
  done
done
printf 'subjectAltName=DNS:app.incus\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' >"$T/ext"

cat >"$T/client.py" <<'PY'
import http.client, json, sys, time, glob, concurrent.futures
csr_dir, kind, clients = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(glob.glob(f"{csr_dir}/{kind}-*.csr"))
bodies = [json.dumps({"csr": open(f).read(), "label_paths": ["app"]}) for f in files]
def one(body):
    t = time.perf_counter()
    c = http.client.HTTPConnection("fd00:f00d::53", 8053, timeout=30, source_address=("fd00:1100:0:1::1", 0))
    c.request("POST", "/v1/sign-csr", body, {"Content-Type": "application/json"})
    r = c.getresponse(); data = r.read(); c.close()
    if r.status != 200 or b"BEGIN CERTIFICATE" not in data:
        raise SystemExit(f"sign-csr failed: {r.status} {data[:200]}")
    return time.perf_counter() - t
t0 = time.perf_counter(); lat = sorted(one(b) for b in bodies); seq = time.perf_counter() - t0
t0 = time.perf_counter()
with concurrent.futures.ThreadPoolExecutor(clients) as ex: list(ex.map(one, bodies))
par = time.perf_counter() - t0
print(json.dumps({"seq_rate": len(bodies) / seq, "par_rate": len(bodies) / par,
                  "p50_ms": lat[len(lat) // 2] * 1000, "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000}))
PY

peer() {  # peer NAME KIND → certs/s
  local name=$1 kind=$2 start end i
  start=$(date +%s.%N)
  for i in $(seq 1 "$N"); do
    case $name in
      mkcert) (cd "$T/out" && CAROOT="$T/ca" mkcert -csr "$T/csr/$kind-$i.csr" -cert-file "$T/out/m.pem" >/dev/null 2>&1) ;;
      openssl) openssl x509 -req -in "$T/csr/$kind-$i.csr" -CA "$T/ca/rootCA.pem" -CAkey "$T/ca/rootCA-key.pem" \
                 -CAcreateserial -CAserial "$T/out/serial" -days 825 -sha256 -extfile "$T/ext" -out "$T/out/o.pem" 2>/dev/null ;;
    esac
  done
  end=$(date +%s.%N)
  openssl verify -CAfile "$T/ca/rootCA.pem" "$T/out/$([ "$name" = mkcert ] && echo m || echo o).pem" >/dev/null ||
    { echo "sign_csr: $name made a certificate that does not verify" >&2; exit 1; }
  python3 -c "print($N / ($end - $start))"
}

printf '\n%-6s %-10s %12s %12s %10s %10s\n' kind signer "certs/s" "certs/s x$CLIENTS" "p50 ms" "p99 ms"
for kind in ecdsa rsa; do
  r=$(taskset -c 1 ip netns exec "$nns" python3 "$T/client.py" "$T/csr" "$kind" "$CLIENTS")
  fs=$(python3 -c 'import json,sys; print("%.0f" % json.loads(sys.argv[1])["seq_rate"])' "$r")
  fp=$(python3 -c 'import json,sys; print("%.0f" % json.loads(sys.argv[1])["par_rate"])' "$r")
  p50=$(python3 -c 'import json,sys; print("%.2f" % json.loads(sys.argv[1])["p50_ms"])' "$r")
  p99=$(python3 -c 'import json,sys; print("%.2f" % json.loads(sys.argv[1])["p99_ms"])' "$r")
  m=$(peer mkcert "$kind")
  o=$(peer openssl "$kind")
  printf '%-6s %-10s %12s %12s %10s %10s\n' "$kind" forestd "$fs" "$fp" "$p50" "$p99"
  printf '%-6s %-10s %12.0f %12s %10.2f %10s\n' "$kind" mkcert "$m" - "$(python3 -c "print(1000/$m)")" -
  printf '%-6s %-10s %12.0f %12s %10.2f %10s\n' "$kind" openssl "$o" - "$(python3 -c "print(1000/$o)")" -
  echo "ratio $kind: forestd/mkcert $(python3 -c "print('%.1f' % ($fs/$m))"), forestd/openssl $(python3 -c "print('%.1f' % ($fs/$o))") (sequential)"
done
echo "(peers: the p50 column is the mean time per certificate, process start included)"
issued=$(wc -l <"$T/state/ca/issued.jsonl")
echo "issuance log: $issued lines (expected $((4 * N)))"
[ "$issued" -eq $((4 * N)) ] || { echo "sign_csr: the helper logged $issued issuances, expected $((4 * N))" >&2; exit 1; }
