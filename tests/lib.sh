# Shared helpers for the integration suites (sourced). Each suite gets its own
# temporary directory, removed on exit whatever happens.
set -euo pipefail
# Commands here read their stdin only when a check gives them one: forest
# exec streams stdin like incus exec, and whatever runs the suite (ctest, CI)
# may hold a terminal or a pipe that never ends.
exec </dev/null
: "${FOREST:?FOREST must name the forest binary}"
: "${FOREST_SOURCE_DIR:?FOREST_SOURCE_DIR must name the source tree}"
T=$(mktemp -d "${TMPDIR:-/tmp}/forest-it.XXXXXX")
trap 'rm -rf "$T"' EXIT
EX="$FOREST_SOURCE_DIR/examples"
failures=0
checks=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { checks=$((checks + 1)); }
# expect_eq ACTUAL EXPECTED WHAT
expect_eq() { if [ "$1" == "$2" ]; then ok; else fail "$3: expected [$2], got [$1]"; fi; }
# expect_contains HAYSTACK NEEDLE WHAT
expect_contains() { if [[ "$1" == *"$2"* ]]; then ok; else fail "$3: [$2] not in output:"$'\n'"$1"; fi; }
# run_fails EXPECTED_CODE CMD...: runs CMD, captures stderr+stdout in $out, checks the exit code.
run_expect() {
  local want=$1; shift
  set +e; out=$("$@" 2>&1); local code=$?; set -e
  expect_eq "$code" "$want" "exit code of $*"
}
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
# wait_for SECONDS WHAT CMD...: until CMD succeeds (a check), or a failure.
wait_for() {
  local limit=$1 what=$2 start=$SECONDS; shift 2
  while ! "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - start)) -ge "$limit" ]; then fail "$what: not within $limit s"; return 0; fi
    sleep 0.2
  done
  ok
}
# For suites on a real forest, with HELPER set and $T/resolv.conf naming it:
# hostns CMD... runs CMD as the host would with ~incus taught (a mount
# namespace whose resolv.conf names only the helper); q NAME [TYPE] asks the
# helper directly (answers sorted, one line).
hostns() { unshare -m sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$T/resolv.conf" "$@"; }
q() { kdig @"${HELPER:?}" +short +timeout=2 "$1" "${2:-AAAA}" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'; }
# section TITLE: a heading with the suite's seconds so far (what a slow run spent where).
section() { echo "== $* (at ${SECONDS} s)"; }
finish() {
  echo "$checks checks, $failures failures, ${SECONDS} s"
  [ "$failures" -eq 0 ]
}
