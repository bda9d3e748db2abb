#!/usr/bin/env bash
# forest image build --from: the image cache filled from an Incus image
# server instead of debootstrap. The server is this host's own Incus over
# https, serving a public copy of the cached workload image under a unique
# alias; the result must be byte-identical to the source.
. "$(dirname "$0")/lib.sh"
sock=/var/lib/incus/unix.socket
api() { curl -s --unix-socket "$sock" -X "$1" "http://incus$2" "${@:3}"; }
if ! api GET /1.0 >/dev/null; then echo "image_from_test: needs a running incusd" >&2; exit 1; fi
. "$(dirname "$0")/forest_tests.sh"
forest_tests_begin "$FOREST"

"$FOREST" image build workload >/dev/null
src=$("$FOREST" image list --json | python3 -c 'import json,sys; print([i["path"] for i in json.load(sys.stdin) if i["kind"]=="workload"][0])')
alias="forest-it-src-$(printf '%04x' $((RANDOM)))"
addr=$(api GET /1.0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["config"].get("core.https_address",""))')
set_addr=""
fp=""
cleanup() {
  [ -n "$fp" ] && api DELETE "/1.0/images/$fp" >/dev/null
  [ -n "$set_addr" ] && api PATCH /1.0 -d '{"config":{"core.https_address":""}}' >/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
if [ -z "$addr" ]; then
  addr="[::1]:8443"; set_addr=1
  api PATCH /1.0 -d "{\"config\":{\"core.https_address\":\"$addr\"}}" >/dev/null
fi
# The server is this host's Incus, wherever it already listens.
port=${addr##*:}
server=${addr%:*}
case "$server" in "" | "[::]" | "0.0.0.0") server="[::1]" ;; esac
# The public source image in the default project.
op=$(api POST /1.0/images -H 'X-Incus-public: 1' -H 'Content-Type: application/octet-stream' --data-binary "@$src" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["operation"])')
fp=$(api GET "$op/wait?timeout=120" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["metadata"]["fingerprint"])')
api POST /1.0/images/aliases -d "{\"name\":\"$alias\",\"target\":\"$fp\"}" >/dev/null

export FOREST_IMAGE_CACHE="$T/cache"
run_expect 0 "$FOREST" image build workload --accept-certificate --from "https://$server:$port:$alias"
expect_contains "$out" "cached workload image ${fp:0:12}" "progress names the fingerprint"
got=$("$FOREST" image list --json | python3 -c 'import json,sys; print([i["path"] for i in json.load(sys.stdin) if i["kind"]=="workload"][0])')
cmp -s "$got" "$src" && ok || fail "fetched tarball differs from the source"
code=$(api GET /1.0/projects/forest-image-fetch -o /dev/null -w '%{http_code}')
expect_eq "$code" "404" "scratch project removed"

run_expect 1 "$FOREST" image build workload --accept-certificate --from "https://$server:$port:no-such-alias-$RANDOM"
expect_contains "$out" "is the server reachable and the image public?" "missing alias explained"
run_expect 1 "$FOREST" image build workload --from "https://$server:$port:$alias"
expect_contains "$out" "pass --accept-certificate to trust it" "self-signed server explained"
run_expect 1 "$FOREST" image build workload --from "ftp://x:y"
expect_contains "$out" "expected https://HOST[:PORT]:ALIAS" "bad --from explained"
finish
