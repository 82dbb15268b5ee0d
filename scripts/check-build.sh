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
# The lab's stand-ins live only under tests/lab: nothing users run may name them or the lab.
if tar -tzf "$tarball" | grep -E '^(plugins|roles|playbooks|meta)/' | grep -qiE 'stand-?in|/lab/'; then
  echo "a stand-in file leaked outside tests/"; exit 1
fi
if grep -rniE 'tests/lab|stand-?in|lab_[a-z]' plugins roles playbooks meta; then
  echo "plugins/, roles/, playbooks/ or meta/ refer to the lab or its stand-ins (above)"; exit 1
fi
# The dependencies come from the `ansible` package (no Galaxy here): install without them,
# then resolve against the venv's bundled collections.
ansible-galaxy collection install --force --no-deps -p "$work/install" "$tarball" >/dev/null
bundled="$(python -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[0]))')"
ANSIBLE_COLLECTIONS_PATH="$work/install:$bundled" ansible-doc -l eucalyptus.cloud >"$work/list"
n=$(wc -l <"$work/list")
echo "installed collection lists $n module(s)"
ANSIBLE_COLLECTIONS_PATH="$work/install:$bundled" ansible-galaxy collection list eucalyptus.cloud 2>/dev/null | grep -q "eucalyptus.cloud"
