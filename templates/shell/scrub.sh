#!/bin/sh
# forest shell image publish: strip a copy of a jail of what makes it that
# node, so that a new jail made from the image is a node of its own. Run as
# root inside the copy (started without a network), never in a live jail.
# What stays: the installed packages, /etc and the homes (the user's tools
# and their configuration). What goes: the node's own Incus (its database,
# images, the agent's containers, its server key), forestd's state, the
# node's cloud-init record and its configuration (/etc/forest), ssh host keys, machine-id,
# logs. A new jail's first boot makes them again.
set -u
for u in forestd forest-nat64 forest-dns64 forest-clat incus-user.socket incus-user incus.socket incus; do
  systemctl stop "$u" >/dev/null 2>&1 || true
done
# Incus leaves its own mounts (shmounts, guestapi, a pool's) behind.
awk '$2 ~ "^/var/lib/incus(/|$)" { print $2 }' /proc/mounts | sort -r | while read -r m; do
  umount -l "$m" 2>/dev/null || true
done
find /var/lib/incus -mindepth 1 -maxdepth 1 -exec rm -rf {} + 2>/dev/null
rm -rf /var/lib/forestd /etc/forest /var/lib/cloud/* \
  /var/log/journal/* /var/tmp/forest-image.* 2>/dev/null
rm -f /etc/ssh/ssh_host_* /var/lib/dbus/machine-id
: >/etc/machine-id
sync
left=$(find /var/lib/incus -mindepth 1 -maxdepth 1 2>/dev/null | head -n 1)
if [ -n "$left" ]; then
  echo "scrub: could not empty /var/lib/incus ($left is left)" >&2
  exit 1
fi
echo scrubbed
