#!/usr/bin/env bash
# Builds the lab's local APT repository of LAB STAND-IN packages for MidoNet (which cannot be
# installed on the lab hosts). The package NAMES are the real ones, so the roles' package tasks
# run unchanged; what they install are the stand-ins of tests/lab/standins/ (see its README.md).
#
#   usage: tests/lab/packages/build.sh [OUTDIR]      (default OUTDIR: tests/lab/build/repo)
#
# Output: a flat repository (OUTDIR/*.deb, Packages, Packages.gz, Release), used on a lab host as
#   deb [trusted=yes] file:/opt/eucalyptus-lab-repo ./
# Needs only bash, dpkg-deb, python3 and gzip: no network. Idempotent: nothing is rebuilt unless
# an input (this script, tests/lab/packages/**, tests/lab/standins/*.py) changed; it then rebuilds
# everything in a scratch directory and swaps it in. Prints the repository path on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
standins="$(cd "$here/../standins" && pwd)"
out="${1:-$(cd "$here/.." && pwd)/build/repo}"

MIDONET5_VERSION="5.2.1-lab1"   # midolman, midonet-cluster, midonet-tools (MidoNet 5.2 line)
MIDONET1_VERSION="1.9.5-lab1"   # midonet-api (MEM 1.9 webapp)
TOMCAT_VERSION="7.0.76-lab1"    # tomcat (EL7 package name)

# name|version|Depends|Recommends|systemd unit|stand-in source -> installed path|description
PACKAGES=(
  "midolman|$MIDONET5_VERSION|python3, python3-kazoo, iproute2||midolman|midolman.py:usr/share/midolman/midolman-standin.py|MidoNet agent: registers the host in ZooKeeper (id, name, interfaces, ephemeral alive node); no datapath"
  "midonet-cluster|$MIDONET5_VERSION|python3, python3-kazoo, midonet-tools||midonet-cluster|midonet_api.py:usr/share/midonet-cluster/midonet_api_standin.py|MidoNet 5.x cluster: the REST API on 8181 (mn-conf cluster.rest_api.*), state in ZooKeeper"
  "midonet-tools|$MIDONET5_VERSION|python3, python3-kazoo|||mn_conf.py:usr/bin/mn-conf|MidoNet tools: mn-conf (set/get/dump/template-set), configuration kept in ZooKeeper"
  "midonet-api|$MIDONET1_VERSION|python3, python3-kazoo|tomcat||midonet_api.py:usr/share/midonet-api/WEB-INF/lib/midonet_api_standin.py|MidoNet 1.x API webapp in /usr/share/midonet-api (WEB-INF/web.xml), served by the tomcat stand-in"
  "tomcat|$TOMCAT_VERSION|python3||tomcat|tomcat.py:usr/share/tomcat/bin/tomcat-standin.py|Apache Tomcat as used by MidoNet 1.x: tomcat.service serves the midonet-api context of /etc/tomcat/Catalina/localhost"
)

for tool in dpkg-deb python3 gzip; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing" >&2; exit 1; }
done

inputs_hash="$( (cat "$0"; cd "$here" && find . -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum;
                 cd "$standins" && sha256sum ./*.py) | sha256sum | cut -c1-16)"
if [ -f "$out/.inputs" ] && [ "$(cat "$out/.inputs")" = "$inputs_hash" ] && [ -f "$out/Packages.gz" ]; then
  echo "$out"
  exit 0
fi

mkdir -p "$(dirname "$out")"
# tests/lab/build holds build output only: keep it out of git (galaxy.yml's build_ignore
# already keeps it out of the collection artifact).
default_build="$(cd "$here/.." && pwd)/build"
if [ "$(dirname "$out")" = "$default_build" ] && [ ! -e "$default_build/.gitignore" ]; then
  printf '# build output of tests/lab (image, packages); never committed\n*\n' >"$default_build/.gitignore"
fi
work="$(mktemp -d "$(dirname "$out")/.repo-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1700000000}"
mkdir "$work/repo"

for spec in "${PACKAGES[@]}"; do
  IFS='|' read -r name version depends recommends unit mapping description <<<"$spec"
  root="$work/$name"
  mkdir -p "$root/DEBIAN"
  # (git keeps no empty folders: a package may have no files of its own besides the stand-in)
  if [ -d "$here/$name" ]; then cp -a "$here/$name/." "$root/"; fi
  src="${mapping%%:*}"; dest="${mapping#*:}"
  install -D -m 0755 "$standins/$src" "$root/$dest"
  # conffiles: everything under /etc, plus the webapp's WEB-INF configuration (as the real RPM)
  : >"$root/DEBIAN/conffiles"
  if [ -d "$root/etc" ]; then
    (cd "$root" && find etc -type f | sort | sed 's|^|/|') >>"$root/DEBIAN/conffiles"
  fi
  if [ "$name" = midonet-api ]; then
    printf '%s\n' /usr/share/midonet-api/WEB-INF/web.xml /usr/share/midonet-api/WEB-INF/classes/logback.xml \
      >>"$root/DEBIAN/conffiles"
  fi
  [ -s "$root/DEBIAN/conffiles" ] || rm "$root/DEBIAN/conffiles"
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: all"
    echo "Maintainer: eucalyptus.cloud lab <lab@invalid>"
    echo "Section: net"
    echo "Priority: optional"
    echo "Depends: $depends"
    if [ -n "$recommends" ]; then echo "Recommends: $recommends"; fi
    echo "Description: LAB STAND-IN $name for the eucalyptus.cloud lab (not MidoNet)"
    echo " LAB STAND-IN, not the real software: $description."
    echo " Built by tests/lab/packages/build.sh from tests/lab/standins; lab use only."
  } >"$root/DEBIAN/control"
  if [ -n "$unit" ]; then
    # Like the EL7 RPMs: the unit is installed but neither enabled nor started; roles do that.
    cat >"$root/DEBIAN/postinst" <<EOF
#!/bin/sh
# LAB STAND-IN $name: make systemd see the unit; enabling/starting is the roles' job.
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
EOF
    cat >"$root/DEBIAN/prerm" <<EOF
#!/bin/sh
# LAB STAND-IN $name: stop the service before removal.
set -e
if [ "\$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop $unit.service || true
  systemctl disable $unit.service >/dev/null 2>&1 || true
fi
exit 0
EOF
    cat >"$root/DEBIAN/postrm" <<EOF
#!/bin/sh
# LAB STAND-IN $name
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
EOF
    chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
  fi
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$work/repo/${name}_${version}_all.deb" >/dev/null
done

# Packages, Packages.gz and Release, written by Python (no dpkg-dev / apt-utils needed).
python3 - "$work/repo" <<'PY'
import email.utils, gzip, hashlib, os, subprocess, sys
repo = sys.argv[1]
stanzas = []
for deb in sorted(f for f in os.listdir(repo) if f.endswith(".deb")):
    path = os.path.join(repo, deb)
    control = subprocess.run(["dpkg-deb", "-f", path], capture_output=True, text=True, check=True).stdout
    data = open(path, "rb").read()
    extra = ("Filename: ./%s\nSize: %d\nMD5sum: %s\nSHA256: %s\n"
             % (deb, len(data), hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest()))
    lines = control.rstrip("\n").split("\n")
    # Filename/Size/hashes go before Description, as dpkg-scanpackages puts them
    idx = next(i for i, l in enumerate(lines) if l.startswith("Description:"))
    stanzas.append("\n".join(lines[:idx]) + "\n" + extra + "\n".join(lines[idx:]) + "\n")
packages = "\n".join(stanzas).encode()
open(os.path.join(repo, "Packages"), "wb").write(packages)
with open(os.path.join(repo, "Packages.gz"), "wb") as raw:
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(packages)
date = email.utils.formatdate(int(os.environ.get("SOURCE_DATE_EPOCH", "0")), usegmt=True)
release = ["Origin: eucalyptus.cloud lab", "Label: LAB STAND-IN packages", "Suite: lab", "Codename: lab",
           "Architectures: all amd64 arm64", "Date: " + date,
           "Description: LAB STAND-IN packages for MidoNet (tests/lab/packages/build.sh)"]
for algo, field in (("md5", "MD5Sum"), ("sha256", "SHA256")):
    release.append(field + ":")
    for name in ("Packages", "Packages.gz"):
        blob = open(os.path.join(repo, name), "rb").read()
        release.append(" %s %d %s" % (hashlib.new(algo, blob).hexdigest(), len(blob), name))
open(os.path.join(repo, "Release"), "w").write("\n".join(release) + "\n")
PY

echo "$inputs_hash" >"$work/repo/.inputs"
chmod -R a+rX "$work/repo"
# Update the repository directory in place (never replace the directory itself): lab hosts
# bind-mount it, and a mount of a replaced directory would keep pointing at the deleted one.
# The indexes go last, so apt never sees an index naming a package that is not there yet.
mkdir -p "$out"
for f in "$out"/*.deb; do
  [ -e "$f" ] && [ ! -e "$work/repo/$(basename "$f")" ] && rm -f "$f"
done
cp -p "$work/repo"/*.deb "$out/"
cp -p "$work/repo/Packages" "$work/repo/Packages.gz" "$work/repo/Release" "$work/repo/.inputs" "$out/"
chmod -R a+rX "$out"
echo "build.sh: built $(find "$out" -maxdepth 1 -name "*.deb" | wc -l) packages in $out" >&2
echo "$out"
