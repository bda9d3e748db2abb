#!/usr/bin/env bash
# bench/source_chain.sh BUILD_DIR: the three benches that need a source chain,
# on one bring-up (ctest bench.source_chain): bench/up_and_exec.sh brings it up
# (with a plain workload bw under c0-2), measures that and exec latency, and
# leaves it up (FOREST_BENCH_KEEP); bench/name_propagation.sh and
# bench/xlat.sh and bench/nested_launch.sh then run on it (FOREST_BENCH_REUSE); it goes down at the end,
# also when one of them fails. Each script still runs alone with its own forest.
set -uo pipefail
build=${1:?usage: bench/source_chain.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../tests/forest_tests.sh"
kept=$(mktemp /tmp/forest-bench-kept.XXXXXX.yaml)
down() {
  if [ -s "$kept" ]; then
    FOREST_STATE_DIR=$FOREST_TEST_STATE "$build/forest" down "$kept" >/dev/null 2>&1 ||
      echo "bench/source_chain.sh: could not take the kept forest down ($kept)" >&2
  fi
  rm -f "$kept"
}
trap down EXIT
rc=0
run() {  # NAME SCRIPT [ENV...]
  local name=$1 script=$2; shift 2
  echo "==== $name"
  local s=$SECONDS
  env "$@" "$here/$script" "$build" || { echo "==== $name FAILED" >&2; rc=1; }
  echo "==== $name: $((SECONDS - s)) s"
}
run up_and_exec up_and_exec.sh FOREST_BENCH_KEEP="$kept"
if [ -s "$kept" ]; then
  run name_propagation name_propagation.sh FOREST_BENCH_REUSE="$kept"
  run xlat xlat.sh FOREST_BENCH_REUSE="$kept"
  run nested_launch nested_launch.sh FOREST_BENCH_REUSE="$kept"
else
  echo "bench/source_chain.sh: no forest left up by up_and_exec; name_propagation, xlat and nested_launch not run" >&2
  rc=1
fi
exit $rc
