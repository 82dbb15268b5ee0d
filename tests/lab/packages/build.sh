#!/usr/bin/env bash
# Builds the lab's local APT repository of LAB STAND-IN packages for MidoNet (which cannot be
# installed on the lab hosts). The package NAMES are the real ones, so the roles' package tasks
# run unchanged; what they install are the stand-ins of tests/lab/standins/ (see its README.md).
#
#   usage: tests/lab/packages/build.sh [OUTDIR]      (default OUTDIR: tests/lab/build/repo)
#
# Output: a flat repository (OUTDIR/*.deb, Packages, Packages.gz, Release), used on a lab host as
#   deb [trusted=yes] file:/opt/eucalyptus-lab-repo ./
# and one flat repository per Eucalyptus product line, OUTDIR/eucalyptus-4.1/ and
# OUTDIR/eucalyptus-4.4/ (stand-ins of the Eucalyptus packages, EUCA_PACKAGES below), used as
#   deb [trusted=yes] file:/opt/eucalyptus-lab-repo/eucalyptus-4.4 ./
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

# Eucalyptus product lines: line -> package version (and product version, the part before "-lab")
declare -A EUCA_LINE_VERSION=([4.1]="4.1.2-lab1" [4.4]="4.4.5-lab1")
EUCA_LINES="4.1 4.4"

# Eucalyptus stand-in packages, one flat repository per line (OUTDIR/eucalyptus-<line>/).
#   name|lines|Depends|Recommends|units|files|description
# lines:   the product lines that have the package ("4.1 4.4")
# Depends/Recommends: comma-separated; an item "4.4:pkg" (or "4.1:pkg") is kept only for that line
# units:   services stopped on removal: "name" or per line "4.1:eucalyptus-cc 4.4:eucalyptus-cluster"
# files:   space-separated; "src.py:path" installs tests/lab/standins/src.py at /path (0755);
#          "path->target" makes /path a symlink; "4.4:..." limits an item to one line
# provides: tests/lab/packages/eucalyptus/<name>/provides (one item a line, "4.4:" per line)
# Static files: tests/lab/packages/eucalyptus/<name>/all/** and .../<name>/<line>/** are copied
# into the package (files under etc/ become conffiles). tests/lab/packages/eucalyptus/<name>/postinst,
# if present, is appended to the package's postinst with @LINE@ and @VERSION@ (the product version,
# e.g. 4.4.5) replaced. Every package gets the lab's share dir /usr/share/eucalyptus/lab/ for its
# Python modules (stand-ins import gni.py and euca_common.py from there: package eucalyptus).
EUCA_PACKAGES=(
  "eucalyptus|4.1 4.4|python3, adduser, 4.4:postgresql-client|||gni.py:usr/share/eucalyptus/lab/gni.py euca_common.py:usr/share/eucalyptus/lab/euca_common.py euca_admin.py:usr/share/eucalyptus/lab/euca_admin.py 4.4:usr/sbin/clcadmin-initialize-cloud->../share/eucalyptus/lab/euca_admin.py 4.4:usr/sbin/clcadmin-assume-system-credentials->../share/eucalyptus/lab/euca_admin.py 4.4:usr/sbin/clcadmin-copy-keys->../share/eucalyptus/lab/euca_admin.py 4.4:usr/sbin/clusteradmin-copy-keys->../share/eucalyptus/lab/euca_admin.py 4.4:usr/sbin/clusteradmin-register-nodes->../share/eucalyptus/lab/euca_admin.py 4.4:usr/sbin/clusteradmin-deregister-nodes->../share/eucalyptus/lab/euca_admin.py|Eucalyptus base package: /etc/eucalyptus/eucalyptus-version, the eucalyptus.conf template of the line, the eucalyptus user and groups; 4.4: the clcadmin-* and clusteradmin-* scripts"
  "eucalyptus-cloud|4.1 4.4|eucalyptus, postgresql, postgresql-client, eucanetd, 4.4:eucalyptus-admin-tools||eucalyptus-cloud|eucalyptus_cloud.py:usr/share/eucalyptus/lab/eucalyptus_cloud.py usr/sbin/eucalyptus-cloud->../share/eucalyptus/lab/eucalyptus_cloud.py|Eucalyptus cloud controller (CLC, also UFS/Walrus/SC JVM): services and properties in its own PostgreSQL cluster (var/lib/eucalyptus/db, port 8777), HTTP on 8773, service states, network_configuration validation, writes global_network_info.xml"
  "eucalyptus-admin-tools|4.1 4.4|eucalyptus, python3|||4.4:usr/bin/euserv-register-service->../share/eucalyptus/lab/euca_admin.py 4.4:usr/bin/euserv-deregister-service->../share/eucalyptus/lab/euca_admin.py 4.4:usr/bin/euserv-describe-services->../share/eucalyptus/lab/euca_admin.py 4.4:usr/bin/euctl->../share/eucalyptus/lab/euca_admin.py usr/sbin/euca_conf->../share/eucalyptus/lab/euca_admin.py 4.1:usr/sbin/euca-describe-services->../share/eucalyptus/lab/euca_admin.py 4.1:usr/sbin/euca-describe-properties->../share/eucalyptus/lab/euca_admin.py 4.1:usr/sbin/euca-modify-property->../share/eucalyptus/lab/euca_admin.py|Eucalyptus admin tools: 4.1 euca_conf, euca-describe-services, euca-describe-properties, euca-modify-property (eucadmin); 4.4 euserv-register-service, euserv-deregister-service, euserv-describe-services, euctl and the euca_conf stub"
  "eucanetd|4.1 4.4|eucalyptus, python3, iproute2|4.4:nginx|eucanetd|eucanetd.py:usr/share/eucalyptus/lab/eucanetd.py usr/sbin/eucanetd->../share/eucalyptus/lab/eucanetd.py|Eucalyptus network daemon, VPCMIDO: the GNI-to-MidoNet loop over the MidoNet REST API (eucart, eucabr, gateway port binding, routes), the flushes and exit codes of its version, the 4.4 single-instance lock on UDP 127.0.0.1:63822; 4.4 eucanetd.service (Type=forking), 4.1 /etc/init.d/eucanetd"
  "eucalyptus-cc|4.1 4.4|eucalyptus, python3, 4.1:eucanetd||4.1:eucalyptus-cc 4.4:eucalyptus-cluster|euca_daemons.py:usr/share/eucalyptus/lab/eucalyptus_cc.py 4.4:usr/sbin/eucalyptus-cluster->../share/eucalyptus/lab/eucalyptus_cc.py 4.4:lib/systemd/system/eucalyptus-cc.service->eucalyptus-cluster.service|Eucalyptus cluster controller: reads eucalyptus.conf, refuses a VNET_MODE its version rejects, wipes var/lib/eucalyptus/CC on start, answers HTTP on CC_PORT (8774); 4.4 eucalyptus-cluster.service (+ eucalyptus-cc.service symlink), 4.1 /etc/init.d/eucalyptus-cc"
  "eucalyptus-nc|4.1 4.4|eucalyptus, python3, eucanetd||4.1:eucalyptus-nc 4.4:eucalyptus-node|euca_daemons.py:usr/share/eucalyptus/lab/eucalyptus_nc.py 4.4:usr/sbin/eucalyptus-node->../share/eucalyptus/lab/eucalyptus_nc.py 4.4:lib/systemd/system/eucalyptus-nc.service->eucalyptus-node.service|Eucalyptus node controller: reads eucalyptus.conf, refuses a VNET_MODE its version rejects (4.4: and a missing VNET_BRIDGE), answers HTTP on NC_PORT (8775); 4.4 eucalyptus-node.service (+ eucalyptus-nc.service symlink), 4.1 /etc/init.d/eucalyptus-nc"
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

# build_pkg NAME VERSION DEPENDS RECOMMENDS UNITS OUTDIR LINE FILES DESCRIPTION TREE...
#   LINE is empty for the MidoNet packages; TREEs are static trees copied into the package root.
build_pkg() {
  local name="$1" version="$2" depends="$3" recommends="$4" units="$5" outdir="$6" line="$7" files="$8" description="$9"
  shift 9
  local root="$work/build-$name${line:+-$line}" tree item src dest target unit
  rm -rf "$root"
  mkdir -p "$root/DEBIAN"
  # (git keeps no empty folders: a package may have no files of its own besides the stand-in)
  for tree in "$@"; do
    if [ -d "$tree" ]; then cp -a "$tree/." "$root/"; fi
  done
  if [ "$name" = eucalyptus ] && [ -n "$line" ]; then
    # the product version every Eucalyptus stand-in reads (4.1.2 / 4.4.5)
    mkdir -p "$root/etc/eucalyptus"
    printf '%s\n' "${version%%-lab*}" >"$root/etc/eucalyptus/eucalyptus-version"
  fi
  for item in $files; do
    case "$item" in
      4.1:*|4.4:*) [ "${item%%:*}" = "$line" ] || continue; item="${item#*:}" ;;
    esac
    if [[ "$item" == *"->"* ]]; then
      dest="${item%%->*}"; target="${item#*->}"
      mkdir -p "$(dirname "$root/$dest")"
      ln -sfn "$target" "$root/$dest"
    else
      src="${item%%:*}"; dest="${item#*:}"
      install -D -m 0755 "$standins/$src" "$root/$dest"
    fi
  done
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
  local what="MidoNet"
  [ -z "$line" ] || what="Eucalyptus $line"
  {
    echo "Package: $name"
    echo "Version: $version"
    echo "Architecture: all"
    echo "Maintainer: eucalyptus.cloud lab <lab@invalid>"
    echo "Section: net"
    echo "Priority: optional"
    echo "Depends: $depends"
    if [ -n "$recommends" ]; then echo "Recommends: $recommends"; fi
    # tests/lab/packages/eucalyptus/<name>/provides: virtual names, "4.4:" items per line
    # (eucalyptus-cc Provides eucalyptus-cluster from 4.3 on, reference eucalyptus.md 1.1)
    if [ -n "$line" ] && [ -f "$here/eucalyptus/$name/provides" ]; then
      local provides
      provides="$(line_deps "$line" "$(tr '\n' ',' <"$here/eucalyptus/$name/provides")")"
      if [ -n "$provides" ]; then echo "Provides: $provides"; fi
    fi
    echo "Description: LAB STAND-IN $name for the eucalyptus.cloud lab (not $what)"
    echo " LAB STAND-IN, not the real software: $description."
    echo " Built by tests/lab/packages/build.sh from tests/lab/standins; lab use only."
  } >"$root/DEBIAN/control"
  local extra=""
  if [ -n "$line" ] && [ -f "$here/eucalyptus/$name/postinst" ]; then
    extra="$(sed -e "s/@LINE@/$line/g" -e "s/@VERSION@/${version%%-lab*}/g" "$here/eucalyptus/$name/postinst")"
  fi
  if [ -n "$units" ] || [ -n "$extra" ]; then
    # Like the EL RPMs: a unit is installed but neither enabled nor started; roles do that.
    {
      echo "#!/bin/sh"
      echo "# LAB STAND-IN $name: make systemd see the unit; enabling/starting is the roles' job."
      echo "set -e"
      if [ -n "$extra" ]; then printf '%s\n' "$extra"; fi
      echo "if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi"
      echo "exit 0"
    } >"$root/DEBIAN/postinst"
    chmod 0755 "$root/DEBIAN/postinst"
  fi
  if [ -n "$units" ]; then
    {
      echo "#!/bin/sh"
      echo "# LAB STAND-IN $name: stop the service before removal."
      echo "set -e"
      echo "if [ \"\$1\" = remove ] && [ -d /run/systemd/system ]; then"
      for unit in $units; do
        case "$unit" in
          4.1:*|4.4:*) [ "${unit%%:*}" = "$line" ] || continue; unit="${unit#*:}" ;;
        esac
        echo "  systemctl stop $unit.service || true"
        echo "  systemctl disable $unit.service >/dev/null 2>&1 || true"
      done
      echo "fi"
      echo "exit 0"
    } >"$root/DEBIAN/prerm"
    cat >"$root/DEBIAN/postrm" <<EOF
#!/bin/sh
# LAB STAND-IN $name
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
exit 0
EOF
    chmod 0755 "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
  fi
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zgzip --build "$root" "$outdir/${name}_${version}_all.deb" >/dev/null
}

# per-line filter of a Depends/Recommends list: drop "other-line:pkg" items, strip "line:"
line_deps() {
  local line="$1" list="$2" out="" item
  local IFS=','
  for item in $list; do
    item="${item# }"; item="${item% }"
    [ -n "$item" ] || continue
    case "$item" in
      4.1:*|4.4:*) [ "${item%%:*}" = "$line" ] || continue; item="${item#*:}" ;;
    esac
    out="${out:+$out, }$item"
  done
  printf '%s' "$out"
}

for spec in "${PACKAGES[@]}"; do
  IFS='|' read -r name version depends recommends unit mapping description <<<"$spec"
  build_pkg "$name" "$version" "$depends" "$recommends" "$unit" "$work/repo" "" "$mapping" "$description" "$here/$name"
done

for line in $EUCA_LINES; do
  mkdir -p "$work/repo/eucalyptus-$line"
  for spec in "${EUCA_PACKAGES[@]}"; do
    IFS='|' read -r name lines depends recommends units files description <<<"$spec"
    [[ " $lines " == *" $line "* ]] || continue
    build_pkg "$name" "${EUCA_LINE_VERSION[$line]}" "$(line_deps "$line" "$depends")" "$(line_deps "$line" "$recommends")" \
      "$units" "$work/repo/eucalyptus-$line" "$line" "$files" "$description" \
      "$here/eucalyptus/$name/all" "$here/eucalyptus/$name/$line"
  done
done

# Packages, Packages.gz and Release, written by Python (no dpkg-dev / apt-utils needed).
python3 - "$work/repo" "$work/repo"/eucalyptus-* <<'PY'
import email.utils, gzip, hashlib, os, subprocess, sys


def index(repo, label):
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
               "Description: LAB STAND-IN packages for %s (tests/lab/packages/build.sh)" % label]
    for algo, field in (("md5", "MD5Sum"), ("sha256", "SHA256")):
        release.append(field + ":")
        for name in ("Packages", "Packages.gz"):
            blob = open(os.path.join(repo, name), "rb").read()
            release.append(" %s %d %s" % (hashlib.new(algo, blob).hexdigest(), len(blob), name))
    open(os.path.join(repo, "Release"), "w").write("\n".join(release) + "\n")


for repo in sys.argv[1:]:
    base = os.path.basename(repo)
    index(repo, "Eucalyptus " + base.split("-", 1)[1] if base.startswith("eucalyptus-") else "MidoNet")
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
for line in $EUCA_LINES; do
  sub="$out/eucalyptus-$line"
  mkdir -p "$sub"
  for f in "$sub"/*.deb; do
    [ -e "$f" ] && [ ! -e "$work/repo/eucalyptus-$line/$(basename "$f")" ] && rm -f "$f"
  done
  cp -p "$work/repo/eucalyptus-$line"/*.deb "$sub/"
  cp -p "$work/repo/eucalyptus-$line/Packages" "$work/repo/eucalyptus-$line/Packages.gz" "$work/repo/eucalyptus-$line/Release" "$sub/"
done
cp -p "$work/repo/Packages" "$work/repo/Packages.gz" "$work/repo/Release" "$work/repo/.inputs" "$out/"
chmod -R a+rX "$out"
echo "build.sh: built $(find "$out" -name "*.deb" | wc -l) packages in $out (and its eucalyptus-<line>/)" >&2
echo "$out"
