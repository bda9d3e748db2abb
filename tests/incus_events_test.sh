#!/usr/bin/env bash
# The Incus REST client's events websocket against the real incusd:
# `forest events` sees the lifecycle event of a profile created in a
# throw-away project, and a malformed request gets the daemon's error.
. "$(dirname "$0")/lib.sh"
sock=/var/lib/incus/unix.socket
if ! curl -sf --unix-socket "$sock" http://incus/1.0 >/dev/null; then
  echo "incus_events_test: needs a running incusd (scripts/setup)" >&2
  exit 1
fi
. "$(dirname "$0")/forest_tests.sh"
forest_tests_begin "$FOREST"
project="forest-ev$(printf '%04x' $((RANDOM)))"
api() { curl -s --unix-socket "$sock" -X "$1" "http://incus$2" ${3:+-d "$3"}; }
cleanup() {
  api DELETE "/1.0/profiles/evtest?project=$project" >/dev/null
  api DELETE "/1.0/projects/$project" >/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
api POST /1.0/projects "{\"name\":\"$project\",\"config\":{\"features.profiles\":\"true\"}}" >/dev/null

"$FOREST" events --project "$project" --type lifecycle --count 1 --timeout 30 >"$T/events" 2>"$T/events.err" &
listener=$!
# The subscription is live once the websocket is up; give it a moment.
for _ in $(seq 1 20); do sleep 0.2; done
api POST "/1.0/profiles?project=$project" '{"name":"evtest","config":{},"devices":{}}' >/dev/null
if wait "$listener"; then ok; else fail "forest events exited non-zero: $(cat "$T/events.err")"; fi
got=$(json "$T/events" "d['metadata']['action'] + ' ' + d['project']" 2>&1 || true)
expect_eq "$got" "profile-created $project" "lifecycle event of the new profile"

run_expect 1 "$FOREST" events --project "$project" --type lifecycle --count 1 --timeout 1
expect_contains "$out" "no Incus event within 1 s" "idle timeout message"
finish
