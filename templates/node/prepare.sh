#!/bin/bash
# Prepares a hierarchy-aware node to run unprivileged children (DESIGN.md,
# Facts measured). Run by `forest node-up` inside the node, as root, and with
# --boot by forest-boot.service at every boot, before incusd starts (and
# autostarts the node's children): then nothing is restarted.
# Idempotent; prints one line per fix it applied.
set -euo pipefail
restart=0
boot=0
[ "${1:-}" = --boot ] && boot=1

# Routed NICs need forwarding on; the node routes its children's prefixes.
sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1

# One run at a time: forest-boot.service and a `forest node-up` can overlap.
exec 9>/run/forest-prepare.lock
flock 9
# Not at boot: let systemd get past its early setup (its own cgroup mounts)
# first; a cold node's first node-up comes right after its start, and a
# cgroup mount of ours failed with EBUSY, "already mounted", once.
if [ "$boot" = 0 ]; then
  for _ in $(seq 20); do
    case "$(systemctl is-system-running 2>/dev/null || true)" in
      ""|offline|initializing) sleep 0.5 ;;
      *) break ;;
    esac
  done
fi

# cgroup v1 with cpu and cpuacct mounted separately on the outer host: systemd
# in a container leaves them unmounted and nested incusd fails with
# "Failed to open .../cpuacct". Mount both hierarchies ourselves.
if [ -d /sys/fs/cgroup ] && grep -q '^[0-9]*:cpuacct:' /proc/self/cgroup; then
  for c in cpu cpuacct; do
    if ! mountpoint -q "/sys/fs/cgroup/$c"; then
      mount -o remount,rw /sys/fs/cgroup 2>/dev/null || true
      [ -L "/sys/fs/cgroup/$c" ] && rm -f "/sys/fs/cgroup/$c"
      mkdir -p "/sys/fs/cgroup/$c"
      # Once more after a second if the mount is refused and nothing else
      # mounted it meanwhile.
      mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" 2>/dev/null ||
        { sleep 1; mountpoint -q "/sys/fs/cgroup/$c" || mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c"; }
      echo "prepare: mounted cgroup v1 $c hierarchy (cgroup fix-up)"
      restart=1
    fi
  done
fi

# Nested unprivileged children: root's subordinate range must fit inside this
# node's own map. Debian's incus-base postinst writes root:1000000:1000000000,
# which does not fit one level down.
for kind in uid gid; do
  # The map line that holds id 1000000 (raw.idmap entries for shared folders
  # split the map; children's ids start at 1000000 and must stay inside it).
  end=$(awk '$1 <= 1000000 && 1000000 < $1 + $3 { print $1 + $3 }' "/proc/self/${kind}_map")
  total=${end:-0}
  size=$((total - 1000000 - 9000000))
  if [ "$size" -lt 65536 ]; then
    echo "prepare: this node's ${kind} map leaves no room for unprivileged children (ids from 1000000 mapped up to ${total})" >&2
    exit 3
  fi
  want="root:1000000:$size"
  f=/etc/sub$kind
  # Keep root:<id>:1 entries (share owners allowed for raw.idmap), replace the range.
  if ! grep -qx "$want" "$f" 2>/dev/null || [ "$(grep -c '^root:[0-9]*:[0-9][0-9]' "$f")" -ne 1 ]; then
    { grep -v '^root:' "$f" 2>/dev/null || true; grep '^root:[0-9]*:1$' "$f" 2>/dev/null || true; echo "$want"; } >"$f.forest-new"
    mv "$f.forest-new" "$f"
    echo "prepare: /etc/sub$kind root range set to $want (fits this node's map of $total)"
    restart=1
  fi
done

if [ "$boot" = 1 ]; then
  exit 0  # incusd starts after this, with everything in place
fi
if [ "$restart" = 1 ] || ! systemctl is-active -q incus.service; then
  systemctl restart incus.service
  echo "prepare: (re)started incus"
fi
for _ in $(seq 1 60); do
  curl -sf --unix-socket /var/lib/incus/unix.socket http://incus/1.0 >/dev/null && exit 0
  sleep 1
done
echo "prepare: incusd did not come up within 60 s; see journalctl -u incus" >&2
exit 4
