#!/bin/sh
# forest shell: make a jail ready for its user; run inside the jail as root
# before every session (idempotent, cheap).
#   prepare.sh USER UID GID
# The jail user has the invoking host user's ids, so the idmapped workspace
# shows the same owners on both sides. Prints "USER HOME" of that user.
set -eu
user=$1 uid=$2 gid=$3
if [ "$uid" != 0 ]; then
  if ! getent group "$gid" >/dev/null; then
    g=$user
    getent group "$g" >/dev/null && g="forest$gid"
    groupadd -g "$gid" "$g"
  fi
  if ! getent passwd "$uid" >/dev/null; then
    u=$user
    getent passwd "$u" >/dev/null && u="forest$uid"
    useradd -m -u "$uid" -g "$gid" -s /bin/bash "$u"
  fi
fi
name=$(getent passwd "$uid" | cut -d: -f1)
home=$(getent passwd "$uid" | cut -d: -f6)
if [ "$uid" != 0 ]; then
  # Rootless Podman: subordinate ids inside the jail's own map (the node's
  # root holds 1000000..990999999, see prepare.sh of the node).
  grep -q "^$name:" /etc/subuid 2>/dev/null || echo "$name:991000000:65536" >>/etc/subuid
  grep -q "^$name:" /etc/subgid 2>/dev/null || echo "$name:991000000:65536" >>/etc/subgid
fi
# No systemd user session: Podman keeps its runtime state here and manages
# cgroups itself.
mkdir -p "/run/user/$uid"
chown "$uid:$gid" "/run/user/$uid"
chmod 700 "/run/user/$uid"
conf="$home/.config/containers/containers.conf"
if [ ! -e "$conf" ]; then
  mkdir -p "$home/.config/containers"
  printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$conf"
  chown -R "$uid:$gid" "$home/.config"
fi
echo "$name $home"
