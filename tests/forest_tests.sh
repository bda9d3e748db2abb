# Sourced by every suite and benchmark that makes things in Incus.
# forest_tests_begin FOREST_BINARY:
#  - runs one such suite at a time on this machine (a lock held until exit);
#  - points CAROOT at the run's temp dir (the machine's mkcert root is never touched);
#  - keeps every test forest's state under one directory, so a forest that a
#    killed run left behind is found by name and removed (`forest down NAME`)
#    before this run makes its own (its bridge would hold the same addresses).
FOREST_TEST_STATE=/var/lib/forest-tests
forest_tests_begin() {
  local bin=$1 d n
  mkdir -p /run/lock "$FOREST_TEST_STATE"
  exec 9>/run/lock/forest-incus-tests.lock
  if ! flock -n 9; then
    echo "waiting for another forest test run on this machine to finish…" >&2
    flock 9
  fi
  export FOREST_STATE_DIR=$FOREST_TEST_STATE
  # `forest up` stages (and, if absent, makes) mkcert's root: a test run gets
  # its own, never the machine's ~/.local/share/mkcert.
  export CAROOT="${T:?forest_tests_begin needs the suite temp dir T}/caroot"
  for d in "$FOREST_TEST_STATE"/*/; do
    [ -f "$d/topology.yaml" ] || continue
    n=$(basename "$d")
    echo "removing test forest $n left behind by an earlier run" >&2
    "$bin" down "$n" >&2 || echo "could not remove test forest $n; see the output above" >&2
  done
}
