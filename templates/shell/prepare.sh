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
# The agent's own Incus: membership in `incus` (not `incus-admin`) gives the
# user Incus's user socket (incus-user), which confines it to the restricted
# project user-<uid>. Made here first, so that incus-user finds it and only
# adds the user's certificate: children on the forest LAN (incusbr0, so they
# get names under the jail), no privileged containers, no host paths except
# the user's home (never /workspace, whose read-only .git paths a plain bind
# would bypass), no raw.* keys. It shares the jail's images (forest-workload
# by its alias): a copy per project would cost a 100 MB import per jail.
if [ "$uid" != 0 ] && command -v incus >/dev/null; then
  getent group incus >/dev/null || groupadd -r incus
  id -nG "$name" | tr ' ' '\n' | grep -qx incus || usermod -aG incus "$name"
  proj="user-$uid"
  if ! incus project show "$proj" >/dev/null 2>&1; then
    pool=$(incus profile device get default root pool 2>/dev/null || echo default)
    incus project create "$proj" \
      -c features.images=false -c features.networks=false -c features.profiles=true \
      -c features.storage.volumes=true -c restricted=true \
      -c restricted.containers.nesting=allow -c restricted.devices.disk=allow \
      -c restricted.devices.disk.paths="$home" -c restricted.idmap.uid="$uid" \
      -c restricted.idmap.gid="$gid" -c restricted.networks.access=incusbr0 >/dev/null
    incus profile device add default root disk path=/ pool="$pool" --project "$proj" >/dev/null
    incus profile device add default eth0 nic network=incusbr0 name=eth0 --project "$proj" >/dev/null
  fi
fi
# No systemd user session: Podman keeps its runtime state here and manages
# cgroups itself.
mkdir -p "/run/user/$uid"
chown "$uid:$gid" "/run/user/$uid"
chmod 700 "/run/user/$uid"
# ...and again at every boot, also one forest shell did not start (`incus restart`).
printf 'd /run/user/%s 0700 %s %s -\n' "$uid" "$uid" "$gid" >/etc/tmpfiles.d/forest-shell-user.conf
conf="$home/.config/containers/containers.conf"
if [ ! -e "$conf" ]; then
  mkdir -p "$home/.config/containers"
  printf '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n' >"$conf"
  chown -R "$uid:$gid" "$home/.config"
fi
echo "$name $home"
