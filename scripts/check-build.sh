#!/usr/bin/env bash
# Builds the collection tarball, checks it stays under 2 MiB, installs it into a scratch
# collections path and lists its plugins from there (so the installed copy is what answers).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$top"
ansible-galaxy collection build --force --output-path "$work" . >/dev/null
tarball="$(ls "$work"/eucalyptus-cloud-*.tar.gz)"
size=$(stat -c %s "$tarball")
echo "tarball: $(basename "$tarball") $size bytes"
[ "$size" -lt $((2 * 1024 * 1024)) ] || { echo "tarball is over 2 MiB"; exit 1; }
# The lab (tests/lab, its stand-ins, molecule/, the lab inventories and the lab's own checks)
# stays out of the tarball, and nothing users run (plugins, roles, playbooks, meta) may name it:
# the collection runs unchanged on real clouds.
tar -tzf "$tarball" | sed 's|^\./||' >"$work/files"
if grep -E '^(tests/lab|molecule|inventories/lab[^/]*|tests/infra|tests/integration/standins)(/|$)' "$work/files"; then
  echo "the lab's files (above) are in the tarball: see build_ignore in galaxy.yml"; exit 1
fi
# Lab words: the stand-ins, the lab's paths and variables, the word "lab", and the host names,
# addresses and networks the lab inventories give their hosts.
lab_words='stand-?ins?|tests/lab|\blabs?\b|lab_[a-z]|eucalab'
while read -r v; do
  lab_words="$lab_words|$(printf '%s' "$v" | sed 's/[.]/\\./g')"
done < <(grep -rhoE '^\s*(ansible_host|lab_ip|lab_subnet|lab_network):\s*[^ #]+' inventories/lab* \
         | sed -E 's/^[^:]*:\s*//; s/"//g' | sort -u)
if grep -E '^(plugins|roles|playbooks|meta)/' "$work/files" | grep -iE "$lab_words"; then
  echo "file names above, in the tarball, name the lab"; exit 1
fi
mkdir "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
for tree in "$work/unpacked" "$top"; do
  (cd "$tree" && grep -rnIiE "$lab_words" plugins roles playbooks meta) \
    | sed -E 's/^([^:]*):[0-9]+:/\1:/' | sort -u >"$work/hits" || true
  if [ -s "$work/hits" ] && cat "$work/hits"; then
    echo "plugins/, roles/, playbooks/ or meta/ name the lab or its stand-ins (above, in $tree)"; exit 1
  fi
done
# Role metadata agrees: every role's min_ansible_version is the floor of meta/runtime.yml's
# requires_ansible, and every role names the same platforms.
python - <<'PY' || exit 1
import glob, os, re, sys
import yaml
floor = re.match(r'^>=\s*(\d+\.\d+)', yaml.safe_load(open('meta/runtime.yml'))['requires_ansible']).group(1)
errors, platforms = [], {}
for role in sorted(glob.glob('roles/*/')):
    path = os.path.join(role, 'meta', 'main.yml')
    if not os.path.exists(path):
        errors.append('%s: missing' % path)
        continue
    info = (yaml.safe_load(open(path)) or {}).get('galaxy_info') or {}
    if str(info.get('min_ansible_version')) != floor:
        errors.append('%s: min_ansible_version %r, meta/runtime.yml requires_ansible floor %s'
                      % (path, info.get('min_ansible_version'), floor))
    platforms[path] = info.get('platforms')
if len({yaml.safe_dump(v) for v in platforms.values()}) > 1:
    errors += ['%s: platforms %s' % (p, v) for p, v in platforms.items()]
    errors.append('the roles name different platforms')
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
# The dependencies come from the `ansible` package (no Galaxy here): install without them,
# then resolve against the venv's bundled collections.
ansible-galaxy collection install --force --no-deps -p "$work/install" "$tarball" >/dev/null
bundled="$(python -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')"
ANSIBLE_COLLECTIONS_PATH="$work/install:$bundled" ansible-doc -l eucalyptus.cloud >"$work/list"
n=$(wc -l <"$work/list")
echo "installed collection lists $n module(s)"
ANSIBLE_COLLECTIONS_PATH="$work/install:$bundled" ansible-galaxy collection list eucalyptus.cloud 2>/dev/null | grep -q "eucalyptus.cloud"
