#!/usr/bin/env bash
# Builds a forest image as an Incus unified tarball, from Debian's archive.
# Called by `forest image build`; usable by hand:
#   build.sh KIND WORKDIR OUT.tar.gz      KIND = workload | node
# Progress lines on stdout: "step N/T: what".  Everything else goes to
# WORKDIR/build.log.  The recipe (this file) is the image's cache key.
set -euo pipefail
kind=$1 work=$2 out=$3
mirror=${FOREST_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
case $kind in workload|node) ;; *) echo "build.sh: KIND must be workload or node, not '$kind'" >&2; exit 2;; esac
log=$work/build.log
mkdir -p "$work"
: >"$log"
total=6
step() { echo "step $1/$total: $2"; echo "=== $2" >>"$log"; }
run() { "$@" >>"$log" 2>&1 || { echo "build.sh: failed: $* (last lines of $log follow)" >&2; tail -n 25 "$log" >&2; exit 1; }; }

root=$work/rootfs
base_pkgs=systemd,systemd-sysv,dbus,udev,openssh-server,iproute2,iputils-ping,ca-certificates,netbase,procps
# Installed by apt in the chroot: debootstrap cannot order python packages.
# libyaml-cpp0.7 and libssl3: the forest binary runs in the helper (workload image) too.
# iperf3: bench/xlat.sh measures the CLAT+NAT64 path from a workload.
apt_pkgs="cloud-init curl python3 traceroute less libyaml-cpp0.7 libssl3 iperf3"
# btrfs-progs: a node's own Incus makes its copy-on-write pool with it.
node_pkgs="dnsmasq-base unbound tayga nftables squashfs-tools xz-utils libnss3-tools btrfs-progs"
# forest shell runs agents in nodes: tmux holds the session, git works on the
# workspace, rootless podman (uidmap, slirp4netns, fuse-overlayfs, crun,
# catatonit) runs OCI containers inside, busybox-static gives it a rootfs.
jail_pkgs="tmux git podman uidmap slirp4netns fuse-overlayfs crun catatonit busybox-static"

step 1 "debootstrap $suite ($kind)"
if [ ! -e "$work/.debootstrap-done" ]; then
  rm -rf "$root"
  run debootstrap --variant=minbase --include="$base_pkgs" "$suite" "$root" "$mirror"
  touch "$work/.debootstrap-done"
fi

step 2 "configure apt and services"
cat >"$root/usr/sbin/policy-rc.d" <<'P'
#!/bin/sh
exit 101
P
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/sources.list" <<S
deb $mirror $suite main
deb $mirror $suite-updates main
deb $mirror $suite-backports main
S
mounts=()
cleanup() { for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null || true; done; }
trap cleanup EXIT
for m in proc sys dev; do
  mount --bind "/$m" "$root/$m"; mounts=("$root/$m" "${mounts[@]}")
done
chr() { run chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
# apt in the chroot resolves with the build host's resolver (a reused rootfs
# may carry systemd-resolved's stub link from an earlier build).
rm -f "$root/etc/resolv.conf"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"

step 3 "install $kind packages"
chr apt-get update -q
chr apt-get install -y -q --no-install-recommends $apt_pkgs
if [ "$kind" = node ]; then
  chr apt-get install -y -q --no-install-recommends $node_pkgs
  chr apt-get install -y -q --no-install-recommends $jail_pkgs
  chr apt-get install -y -q --no-install-recommends -t "$suite-backports" incus-base incus-client
fi
# Last, because it takes over /etc/resolv.conf: systemd-resolved gets the
# bridge's DNS server (dnsmasq, which forwards .incus to the node's forestd)
# from router advertisements, as on Incus's own Debian images.
chr apt-get install -y -q --no-install-recommends systemd-resolved
chr systemctl enable systemd-resolved.service

step 4 "first-boot units"
# Host keys and machine-id are made on first boot, never baked into the image.
cat >"$root/etc/systemd/system/forest-ssh-keygen.service" <<'U'
[Unit]
Description=forest: generate missing ssh host keys
Before=ssh.service
[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A
[Install]
WantedBy=multi-user.target
U
chr systemctl enable forest-ssh-keygen.service
chr systemctl enable ssh.service
# The network is Incus's: static addresses come from cloud-init network-config
# or the routed NIC; DHCP on eth0 for workloads on a managed bridge.
mkdir -p "$root/etc/systemd/network"
cat >"$root/etc/systemd/network/eth0.network" <<'N'
[Match]
Name=eth0
[Link]
RequiredForOnline=no
[Network]
DHCP=ipv4
IPv6AcceptRA=yes
KeepConfiguration=yes
N
chr systemctl enable systemd-networkd.service
# Nothing here waits for "online": routed NICs and IPv6-only LANs never look
# online to networkd, and boot would stall two minutes per level.
chr systemctl mask systemd-networkd-wait-online.service
mkdir -p "$root/etc/ssh/sshd_config.d"
echo "PasswordAuthentication no" >"$root/etc/ssh/sshd_config.d/forest.conf"
mkdir -p "$root/root/.ssh" && chmod 700 "$root/root/.ssh"

step 5 "clean"
ln -sfn ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf"
rm -f "$root"/etc/ssh/ssh_host_* "$root/usr/sbin/policy-rc.d"
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
chroot "$root" apt-get clean >>"$log" 2>&1 || true
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/tmp/* "$root"/var/cache/debconf/*-old
cleanup; mounts=()

step 6 "pack image"
meta=$work/meta
rm -rf "$meta"; mkdir -p "$meta/templates"
cat >"$meta/metadata.yaml" <<M
architecture: x86_64
creation_date: 1735689600
properties:
  os: debian
  release: $suite
  variant: forest-$kind
  description: forest $kind image (Debian 12)
templates:
  /etc/hostname:
    when: [create, copy]
    template: hostname.tpl
  /etc/hosts:
    when: [create, copy]
    template: hosts.tpl
  /var/lib/cloud/seed/nocloud-net/meta-data:
    when: [create, copy]
    template: cloud-init-meta.tpl
  /var/lib/cloud/seed/nocloud-net/user-data:
    when: [create, copy]
    template: cloud-init-user.tpl
    properties:
      default: |
        #cloud-config
        {}
  /var/lib/cloud/seed/nocloud-net/vendor-data:
    when: [create, copy]
    template: cloud-init-vendor.tpl
    properties:
      default: |
        #cloud-config
        {}
  /var/lib/cloud/seed/nocloud-net/network-config:
    when: [create, copy]
    template: cloud-init-network.tpl
    properties:
      default: |
        version: 1
        config: []
M
echo '{{ instance.name }}' >"$meta/templates/hostname.tpl"
printf '127.0.0.1 localhost\n127.0.1.1 {{ instance.name }}\n::1 localhost ip6-localhost ip6-loopback\n' >"$meta/templates/hosts.tpl"
printf 'instance-id: {{ instance.name }}\nlocal-hostname: {{ instance.name }}\n' >"$meta/templates/cloud-init-meta.tpl"
echo '{{ config_get("cloud-init.user-data", properties.default) }}' >"$meta/templates/cloud-init-user.tpl"
echo '{{ config_get("cloud-init.vendor-data", properties.default) }}' >"$meta/templates/cloud-init-vendor.tpl"
echo '{{ config_get("cloud-init.network-config", properties.default) }}' >"$meta/templates/cloud-init-network.tpl"
mv "$root" "$meta/rootfs"
trap 'mv "$meta/rootfs" "$root" 2>/dev/null || true' EXIT
tar --numeric-owner --xattrs --sort=name --mtime=@0 -C "$meta" -cf - metadata.yaml templates rootfs 2>>"$log" \
  | gzip -1 >"$out.tmp"
mv "$meta/rootfs" "$root"; trap - EXIT
sync "$out.tmp"; mv "$out.tmp" "$out"
echo "done: $out"
