#!/bin/bash
# 464XLAT wiring of this node (DESIGN.md, IPv4 compatibility), run by forestd
# with XLAT_* settings from src/xlat: `xlat.sh up` builds what is missing and
# prints one line per fix, `xlat.sh down` removes it all, `xlat.sh status`
# prints `ok NAME` / `fail NAME: what to do` per check (exit 1 on a failure).
# XLAT_CHANGED=1 (a configuration file changed) restarts the daemons.
set -uo pipefail
mode=${1:-up}
: "${XLAT_ROLE:?XLAT_ROLE is set by forestd}" "${XLAT_CONF:?}"
say() { echo "xlat: $*"; }
die() { echo "xlat: error: $*" >&2; exit 2; }
try() { "$@" 2>&1 || die "$* failed"; }
ns() { ip netns exec "$XLAT_NETNS" "$@"; }

# A daemon as a transient systemd unit: restarted when it dies, untouched
# when forestd restarts, stopped first when its configuration changed.
unit_up() {
  local unit=$1; shift
  if [ "${XLAT_CHANGED:-0}" = 1 ] && systemctl is-active -q "$unit"; then
    systemctl stop "$unit"
    say "restarting $unit (configuration changed)"
  fi
  systemctl is-active -q "$unit" && return 0
  systemctl reset-failed "$unit" >/dev/null 2>&1 || true
  systemctl stop "$unit" >/dev/null 2>&1 || true
  try systemd-run --quiet --unit="$unit" --property=Restart=always --property=RestartSec=1 "$@" >/dev/null
  say "started $unit"
}
# check NAME TEST FIX: one line of `status`; a failure sets bad=1.
bad=0
check() { if eval "$2" >/dev/null 2>&1; then echo "ok $1"; else echo "fail $1: $3"; bad=1; fi; }

unit_down() { systemctl stop "$1" >/dev/null 2>&1 || true; systemctl reset-failed "$1" >/dev/null 2>&1 || true; }

# --- edge: DNS64 + NAT64 to the IPv4 egress --------------------------------
edge_up() {
  sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  local eg=$XLAT_EGRESS_IF
  ip link show "$eg" >/dev/null 2>&1 || die "no $eg: this root's profile lacks its egress NIC on the host bridge; run forest up again"
  # IPv4 only: the host bridge's router advertisements must not give the
  # root a second IPv6 default route.
  sysctl -qw "net.ipv6.conf.$eg.disable_ipv6=1"
  ip link set "$eg" up
  if ! ip -4 -o addr show dev "$eg" | grep -q " ${XLAT_EGRESS_IPV4} "; then
    ip -4 addr flush dev "$eg"
    try ip addr add "$XLAT_EGRESS_IPV4" dev "$eg"
    say "egress $eg has $XLAT_EGRESS_IPV4"
  fi
  if ! ip -4 route show default | grep -q "via $XLAT_EGRESS_GATEWAY dev $eg"; then
    try ip route replace default via "$XLAT_EGRESS_GATEWAY" dev "$eg"
    say "IPv4 default route via $XLAT_EGRESS_GATEWAY dev $eg"
  fi
  mkdir -p /var/lib/forest/xlat/nat64
  if ! ip link show nat64 >/dev/null 2>&1; then
    try tayga --mktun -c "$XLAT_CONF/tayga-nat64.conf" >/dev/null
    say "created tun nat64"
  fi
  ip link set nat64 up
  ip route replace "$XLAT_POOL_ROUTE" dev nat64
  ip -6 route replace "$XLAT_NAT64_PREFIX" dev nat64
  ip -6 route replace "$XLAT_TAYGA6/128" dev nat64
  if [ "${XLAT_CHANGED:-0}" = 1 ] || ! nft list table inet forest_edge >/dev/null 2>&1; then
    try nft -f "$XLAT_CONF/edge.nft"
    say "loaded nftables table inet forest_edge (masquerade on $eg, egress policy)"
  fi
  unit_up forest-nat64 tayga --nodetach -c "$XLAT_CONF/tayga-nat64.conf"
  unit_up forest-dns64 unbound -d -c "$XLAT_CONF/unbound.conf"
}

edge_down() {
  unit_down forest-dns64
  unit_down forest-nat64
  nft delete table inet forest_edge 2>/dev/null && say "removed table inet forest_edge"
  ip link del nat64 2>/dev/null && say "removed tun nat64"
  ip -4 addr flush dev "$XLAT_EGRESS_IF" 2>/dev/null
  return 0
}

edge_status() {
  check "egress $XLAT_EGRESS_IF has $XLAT_EGRESS_IPV4" "ip -4 -o addr show dev $XLAT_EGRESS_IF | grep -q ' $XLAT_EGRESS_IPV4 '" \
    "forestd sets it; is the NIC in the root's profile? (forest up)"
  check "IPv4 default route via $XLAT_EGRESS_GATEWAY" "ip -4 route show default | grep -q 'via $XLAT_EGRESS_GATEWAY'" "restart forestd"
  check "tun nat64 up with routes" "ip link show nat64 | grep -q UP && ip -6 route show $XLAT_NAT64_PREFIX | grep -q nat64" "restart forestd"
  check "NAT64 (TAYGA) running" "systemctl is-active -q forest-nat64" "journalctl -u forest-nat64"
  check "DNS64 (Unbound) running" "systemctl is-active -q forest-dns64" "journalctl -u forest-dns64"
  check "masquerade on $XLAT_EGRESS_IF" "nft list chain inet forest_edge postrouting | grep -q masquerade" "restart forestd"
  return $bad
}

# --- CLAT sidecar ------------------------------------------------------------
clat_up() {
  sysctl -qw net.ipv4.ip_forward=1
  if [ ! -e "/run/netns/$XLAT_NETNS" ]; then
    try ip netns add "$XLAT_NETNS"
    say "created netns $XLAT_NETNS"
  fi
  ns sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
  ns ip link set lo up
  # up0: the sidecar's own leg on the routed link. Its /128 is the second
  # address of this node's routed NIC: the parent routes it on-link to our
  # veth, so it must leave eth0 and be answered (proxy NDP) from clatns,
  # where it is routed into TAYGA.
  if ! ns ip link show "$XLAT_UPLINK_IF" >/dev/null 2>&1; then
    try ip link add "$XLAT_UPLINK_IF" link eth0 address "$XLAT_UPLINK_MAC" type macvlan mode bridge
    try ip link set "$XLAT_UPLINK_IF" netns "$XLAT_NETNS"
    say "created macvlan $XLAT_UPLINK_IF (from eth0) in $XLAT_NETNS"
  fi
  if ip -6 -o addr show dev eth0 | grep -q " ${XLAT_CLAT_UPLINK}/128 "; then
    try ip -6 addr del "$XLAT_CLAT_UPLINK/128" dev eth0
    say "moved $XLAT_CLAT_UPLINK from eth0 to $XLAT_UPLINK_IF"
  fi
  ns sysctl -qw "net.ipv6.conf.$XLAT_UPLINK_IF.proxy_ndp=1" "net.ipv6.conf.$XLAT_UPLINK_IF.forwarding=1"
  ns ip link set "$XLAT_UPLINK_IF" up
  ns ip -6 neigh replace proxy "$XLAT_CLAT_UPLINK" dev "$XLAT_UPLINK_IF"
  ns ip -6 route replace default via fe80::1 dev "$XLAT_UPLINK_IF"
  # The LAN leg: clatlan-main (here) <-> lan0 (clatns).
  if ! ip link show "$XLAT_LAN_MAIN" >/dev/null 2>&1; then
    ns ip link del "$XLAT_LAN_NS" 2>/dev/null
    try ip link add "$XLAT_LAN_MAIN" mtu "$XLAT_MTU" type veth peer name "$XLAT_LAN_NS" mtu "$XLAT_MTU" netns "$XLAT_NETNS"
    say "created veth $XLAT_LAN_MAIN <-> $XLAT_LAN_NS"
  fi
  ip -4 -o addr show dev "$XLAT_LAN_MAIN" | grep -q " ${XLAT_LAN_MAIN_ADDRESS} " || try ip addr add "$XLAT_LAN_MAIN_ADDRESS" dev "$XLAT_LAN_MAIN"
  ip link set "$XLAT_LAN_MAIN" up
  ns ip -4 -o addr show dev "$XLAT_LAN_NS" | grep -q " ${XLAT_LAN_NS_ADDRESS} " || try ns ip addr add "$XLAT_LAN_NS_ADDRESS" dev "$XLAT_LAN_NS"
  ns ip link set "$XLAT_LAN_NS" up
  local gw=${XLAT_LAN_NS_ADDRESS%/*} me=${XLAT_LAN_MAIN_ADDRESS%/*}
  ns ip route replace "$XLAT_LAN_IPV4" via "$me" dev "$XLAT_LAN_NS"
  # TAYGA's tun in clatns; everything IPv4 goes into it.
  if ! ns ip link show clat >/dev/null 2>&1; then
    try ns tayga --mktun -c "$XLAT_CONF/tayga-clat.conf" >/dev/null
    say "created tun clat in $XLAT_NETNS"
  fi
  ns ip link set clat up
  ns ip route replace default dev clat
  ns ip -6 route replace "$XLAT_CLAT_UPLINK/128" dev clat
  ns ip -6 route replace "$XLAT_TAYGA6/128" dev clat
  if [ "${XLAT_CHANGED:-0}" = 1 ] || ! ns nft list table ip forest_clat >/dev/null 2>&1; then
    try ns nft -f "$XLAT_CONF/clat.nft"
    say "loaded nftables table ip forest_clat in $XLAT_NETNS"
  fi
  unit_up forest-clat ip netns exec "$XLAT_NETNS" tayga --nodetach -c "$XLAT_CONF/tayga-clat.conf"
  # Steering: the node's local IPv4 clients (its LAN and the node itself)
  # into table 203, whose default leads into the sidecar.
  ip route replace default via "$gw" dev "$XLAT_LAN_MAIN" table "$XLAT_TABLE"
  ip route replace default via "$gw" dev "$XLAT_LAN_MAIN"
  local pref=$XLAT_PREF
  for from in "$XLAT_LAN_IPV4" "$me"; do
    if ! ip rule show pref "$pref" | grep -q "from $from lookup $XLAT_TABLE"; then
      ip rule del pref "$pref" 2>/dev/null
      try ip rule add pref "$pref" from "$from" lookup "$XLAT_TABLE"
      say "rule $pref: from $from lookup $XLAT_TABLE"
    fi
    pref=$((pref + 1))
  done
}

clat_down() {
  unit_down forest-clat
  ip rule del pref "$XLAT_PREF" 2>/dev/null
  ip rule del pref "$((XLAT_PREF + 1))" 2>/dev/null
  ip route flush table "$XLAT_TABLE" 2>/dev/null
  ip route del default via "${XLAT_LAN_NS_ADDRESS%/*}" 2>/dev/null
  ip link del "$XLAT_LAN_MAIN" 2>/dev/null
  if [ -e "/run/netns/$XLAT_NETNS" ]; then
    ip netns del "$XLAT_NETNS" && say "removed netns $XLAT_NETNS"
  fi
  return 0
}

clat_status() {
  check "netns $XLAT_NETNS" "test -e /run/netns/$XLAT_NETNS" "restart forestd (it builds the sidecar)"
  check "$XLAT_UPLINK_IF answers for $XLAT_CLAT_UPLINK" "ns ip -6 neigh show proxy | grep -q '$XLAT_CLAT_UPLINK dev $XLAT_UPLINK_IF'" "restart forestd"
  check "$XLAT_CLAT_UPLINK not on eth0" "! ip -6 addr show dev eth0 | grep -q '$XLAT_CLAT_UPLINK/128'" "restart forestd"
  check "default route via fe80::1 in $XLAT_NETNS" "ns ip -6 route show default | grep -q 'fe80::1 dev $XLAT_UPLINK_IF'" "restart forestd"
  check "veth $XLAT_LAN_MAIN ${XLAT_LAN_MAIN_ADDRESS}" "ip -4 addr show dev $XLAT_LAN_MAIN | grep -q '$XLAT_LAN_MAIN_ADDRESS'" "restart forestd"
  check "veth $XLAT_LAN_NS ${XLAT_LAN_NS_ADDRESS}" "ns ip -4 addr show dev $XLAT_LAN_NS | grep -q '$XLAT_LAN_NS_ADDRESS'" "restart forestd"
  check "rule $XLAT_PREF to table $XLAT_TABLE" "ip rule show pref $XLAT_PREF | grep -q 'lookup $XLAT_TABLE'" "restart forestd"
  check "table $XLAT_TABLE default route" "ip route show table $XLAT_TABLE | grep -q '^default via'" "restart forestd"
  check "CLAT (TAYGA) running" "systemctl is-active -q forest-clat" "journalctl -u forest-clat"
  check "LAN bridge MTU $XLAT_MTU" "ip link show incusbr0 | grep -q 'mtu $XLAT_MTU'" "forest up sets bridge.mtu=$XLAT_MTU on incusbr0"
  return $bad
}

# forestd's periodic run and `forest up` (or `forest xlat`) may overlap: one at a time.
mkdir -p /run/forest
exec 9>/run/forest/xlat.lock
flock 9

case "$XLAT_ROLE:$mode" in
  edge:up) edge_up ;;
  edge:down) edge_down ;;
  edge:status) edge_status ;;
  clat:up) clat_up ;;
  clat:down) clat_down ;;
  clat:status) clat_status ;;
  *) die "usage: xlat.sh up|down|status (role $XLAT_ROLE)" ;;
esac
