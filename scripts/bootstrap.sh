#!/usr/bin/env bash
# Installs everything `make test` and `make lab` need on a fresh Debian 12 machine (run as root):
#   * Debian packages (podman, runc, debootstrap, iptables, iproute2, ...)
#   * .venv/ with the pinned Python tools from requirements.txt
#   * .cache/midonetclient/: the real MidoNet client's wheels (requirements/midonetclient.txt)
#   * .cache/collections/ansible_collections/eucalyptus/cloud -> the checkout (relative link)
#   * .cache/containers.conf for podman (ulimits generated from this machine's limits, runc runtime)
# Every step is skipped when already satisfied, so a second run costs a second or two.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

APT_PACKAGES="podman runc debootstrap iptables iproute2 uidmap bridge-utils iputils-ping netcat-openbsd kmod shellcheck postgresql openssl"
missing=()
for p in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
stamp=.venv/.requirements.sha256
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: creating .venv from requirements.txt"
  "$PY" -m venv .venv
  # (this machine's pip configuration names local indexes that may not exist; pip warns about
  # each one and goes on to the real index, so those lines are dropped)
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "bootstrap: pip install failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi

# The real MidoNet client (Python 2 code) as wheels, for the stand-in check in
# tests/integration/standins/test_real_midonetclient.py (unpacked and 2to3-converted there).
mnc_req=requirements/midonetclient.txt
mnc_stamp=.cache/midonetclient/.requirements.sha256
mnc_want="$(sha256sum "$mnc_req" | cut -d' ' -f1)"
if [ "$(cat "$mnc_stamp" 2>/dev/null)" != "$mnc_want" ]; then
  echo "bootstrap: downloading the midonetclient wheels from $mnc_req into .cache/midonetclient"
  rm -rf .cache/midonetclient
  mkdir -p .cache/midonetclient
  .venv/bin/pip download -q --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: -d .cache/midonetclient -r "$mnc_req" 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "bootstrap: pip download of $mnc_req failed" >&2; exit 1; }
  echo "$mnc_want" > "$mnc_stamp"
fi

mkdir -p .cache/collections/ansible_collections/eucalyptus
ln -sfn ../../../.. .cache/collections/ansible_collections/eucalyptus/cloud

# podman: see shared lab-hosts notes. The numbers come from this machine, not from constants.
nofile="$(ulimit -Hn)"; [ "$nofile" = unlimited ] && nofile=1048576
[ "$nofile" -gt 1048576 ] && nofile=1048576
nproc="$(cat /proc/sys/kernel/pid_max)"
cat > .cache/containers.conf.new <<CONF
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
runtime = "runc"
CONF
mv .cache/containers.conf.new .cache/containers.conf
