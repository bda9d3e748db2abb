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

# A test forest's DNS64 asks the upstream namespace of tests/xlat_upstream.sh,
# never Incus's dnsmasq on the host bridge, which would ask the machine's
# resolvers. Without that namespace the query dies at the uplink guard.
FOREST_TEST_DNS64=198.51.100.53

# forest_chain_head NAME BRIDGE: the start of a test topology: the ULA NAT64
# prefix, the test DNS64 upstream, the host bridge, root c0 (fd00:1000::/20)
# and its child c0-2 in slot 1. The caller appends c0-2's own keys (8 spaces
# in) and what lies below it.
forest_chain_head() {
  printf 'version: 1\nname: %s\nnat64_prefix: fd00:6464::/96\n' "$1"
  printf 'dns64_upstream: %s\n' "$FOREST_TEST_DNS64"
  printf 'host:\n  bridge: %s\nroots:\n  - name: c0\n    prefix: fd00:1000::/20\n' "$2"
  printf '    children:\n      - name: c0-2\n        slot: 1\n'
}

# forest_up [ARGS...] TOPOLOGY: `forest up --guard-uplink`, printing its last
# line; on failure its whole log, and false.
forest_up() {
  if ! "${FOREST:?}" up --guard-uplink "$@" >"$T/up.log" 2>&1; then
    cat "$T/up.log" >&2
    return 1
  fi
  tail -n 1 "$T/up.log"
}

# forest_test_user NAME ID HOME: a password-database entry (user and group
# NAME, both ids ID, home HOME), because forest takes the invoking user's name
# and home from there, as sudo's SUDO_UID names a real account. An entry an
# earlier run left (same name and id) is reused with the new home.
# forest_test_user_del NAME removes it again.
forest_test_user() {
  local name=$1 id=$2 home=$3 have
  have=$(getent passwd "$id" | cut -d: -f1 || true)
  if [ -n "$have" ] && [ "$have" != "$name" ]; then
    echo "forest_test_user: uid $id belongs to $have already" >&2
    return 1
  fi
  if [ -n "$have" ]; then
    usermod -d "$home" "$name"
    return 0
  fi
  getent group "$id" >/dev/null || groupadd -g "$id" "$name"
  useradd -u "$id" -g "$id" -d "$home" -M -s /bin/bash "$name"
}
forest_test_user_del() {
  userdel "$1" 2>/dev/null || true
  groupdel "$1" 2>/dev/null || true
}

# forest_shell_config NAME BRIDGE: a user config layer for a shell forest of
# its own (project forest-NAME) on BRIDGE, on addresses no other suite's
# forest uses (fd00:5e1e::/64, 10.203.34.0/24), asking the test DNS64.
forest_shell_config() {
  cat <<EOF
forest: $1
host:
  bridge: $2
  ipv6: fd00:5e1e::1/64
  ipv4: 10.203.34.1/24
  uplink_range: fd00:5e1e:0:1::/64
  helper_address: fd00:5e1e::53
  prefix_base: fd00:5e0e::/32
  dns64_upstream: $FOREST_TEST_DNS64
EOF
}

# forest_shell_begin FOREST NAME BRIDGE: forest_tests_begin, then a HOME of
# the suite's own ($T/home) whose forest shell config is forest NAME on BRIDGE.
forest_shell_begin() {
  forest_tests_begin "$1"
  export HOME="$T/home"
  mkdir -p "$HOME/.config/forest"
  forest_shell_config "$2" "$3" >"$HOME/.config/forest/config.yaml"
}

# forest_bench_chain FOREST PREFIX: the source chain a bench runs on, in
# $topo. With FOREST_BENCH_REUSE, that topology (up already, left up);
# else a copy of examples/source-chain.yaml named PREFIX<suffix> on its own
# bridge, brought up now (--guard-uplink). forest_bench_chain_down takes down
# only a chain forest_bench_chain brought up. Needs the suite temp dir T.
forest_bench_chain() {
  if [ -n "${FOREST_BENCH_REUSE:-}" ]; then
    topo=$FOREST_BENCH_REUSE
    export FOREST_STATE_DIR=${FOREST_STATE_DIR:-/var/lib/forest-tests}
    return 0
  fi
  local suffix
  suffix=$(printf '%04x' $((RANDOM)))
  topo="$T/chain.yaml"
  sed -e "s/^name: source-chain/name: $2$suffix/" "$(dirname "${BASH_SOURCE[0]}")/../examples/source-chain.yaml" >"$topo"
  printf 'dns64_upstream: %s\nhost:\n  bridge: f%s%s\n' "$FOREST_TEST_DNS64" "$2" "$suffix" >>"$topo"
  forest_tests_begin "$1"
  "$1" up --guard-uplink "$topo" >"$T/up.log" 2>&1 || { cat "$T/up.log" >&2; return 1; }
}
forest_bench_chain_down() {
  [ -n "${FOREST_BENCH_REUSE:-}" ] || "$1" down "$topo" >/dev/null 2>&1 || true
}

# forest_tests_need_incus: a suite on real Incus stops here, saying why,
# unless it runs as root with an incusd that answers.
forest_tests_need_incus() {
  if [ "$(id -u)" -ne 0 ] || ! curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 >/dev/null; then
    echo "$(basename "$0" .sh): needs root and a running incusd (scripts/setup)" >&2
    exit 1
  fi
}
