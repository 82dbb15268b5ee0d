#!/usr/bin/env bash
# Builds the lab host image (Debian 12 + systemd) with debootstrap from this machine's own apt
# sources; no container registry is needed. The image tag carries a hash of this recipe, so the
# image is rebuilt only when the recipe changes. Prints the image name on stdout.
#   usage: tests/lab/image/build.sh            (needs root, podman, debootstrap)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../../.." && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$top/.cache/containers.conf}"

PACKAGES="systemd,systemd-sysv,dbus,python3,python3-apt,iproute2,iptables,procps,sudo,ca-certificates,netcat-openbsd,kmod,iputils-ping,curl,bridge-utils,python3-kazoo,python3-requests,python3-netaddr,gnupg,openssh-server"
recipe_hash="$( (cat "$0"; echo "$PACKAGES") | sha256sum | cut -c1-12)"
image="localhost/eucalyptus-cloud-lab:$recipe_hash"

current="localhost/eucalyptus-cloud-lab:current"
if podman image exists "$image"; then
  podman tag "$image" "$current"
  echo "$image"
  exit 0
fi

# The mirror comes from this machine's apt configuration, never from a constant.
sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ]; then
  mirror="$(awk '/^URIs:/ {print $2; exit}' "$sources")"
else
  mirror="$(awk '/^deb / && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list)"
fi
[ -n "$mirror" ] || { echo "build.sh: cannot find a Debian mirror in the apt sources" >&2; exit 1; }

work="$(mktemp -d /var/tmp/euca-lab-rootfs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "build.sh: debootstrap bookworm from $mirror (a minute or two)" >&2
debootstrap --variant=minbase --include="$PACKAGES" bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -30 "$work/debootstrap.log" >&2; exit 1; }

# Same apt sources as the machine; empty lists with an old mtime, so that Ansible's apt module
# with cache_valid_time refreshes them instead of trusting an empty cache.
rm -f "$rootfs/etc/apt/sources.list"
if [ -f "$sources" ]; then cp "$sources" "$rootfs/etc/apt/sources.list.d/debian.sources"; else cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"; fi
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/*
touch -d @0 "$rootfs/var/lib/apt/lists"
# sshd, so that Ansible reaches lab hosts as it reaches real ones (SSH, pipelining,
# ControlPersist). No host keys in the image: each container makes its own at first boot, and
# tests/lab/lab.py records them in the lab's own known_hosts. Root logs in with the lab key only,
# which lab.py mounts read-only at /etc/ssh/lab_authorized_keys (absent on molecule hosts that
# do not mount it: then nobody can log in over SSH, and the podman connection is used).
rm -f "$rootfs"/etc/ssh/ssh_host_*
mkdir -p "$rootfs/etc/systemd/system/ssh.service.d"
cat > "$rootfs/etc/systemd/system/ssh.service.d/lab-hostkeys.conf" <<'UNIT'
[Service]
ExecStartPre=
ExecStartPre=/usr/bin/ssh-keygen -A
ExecStartPre=/usr/sbin/sshd -t
UNIT
mkdir -p "$rootfs/etc/ssh/sshd_config.d"
cat > "$rootfs/etc/ssh/sshd_config.d/lab.conf" <<'CONF'
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile /etc/ssh/lab_authorized_keys
UseDNS no
# many forks (ansible's forks=10) opening their first connection at once
MaxStartups 50:30:100
CONF
[ -e "$rootfs/etc/systemd/system/multi-user.target.wants/ssh.service" ] \
  || ln -sf /lib/systemd/system/ssh.service "$rootfs/etc/systemd/system/multi-user.target.wants/ssh.service"
# Units that make no sense in a container.
for u in systemd-networkd-wait-online.service getty@tty1.service systemd-timesyncd.service; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$u"
done
: > "$rootfs/etc/machine-id"
tar -C "$rootfs" -c . | podman import --change 'CMD ["/sbin/init"]' --change 'ENV container=podman' \
  --change 'STOPSIGNAL SIGRTMIN+3' - "$image" >/dev/null
podman tag "$image" "$current"
echo "$image"
