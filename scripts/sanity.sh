#!/usr/bin/env bash
# `ansible-test sanity` for the collection, with the pinned ansible-core (.venv) and with 2.16
# (the EL7 controller, scripts/venv-2.16.sh). Usage: scripts/sanity.sh [2.19|2.16]... [-- ARGS]
# (ARGS go to ansible-test sanity, e.g. `-- --test pylint`). Fails when any test fails.
#
# * ansible-test wants the collection under ansible_collections/eucalyptus/cloud and resolves
#   the working directory, so the link in .cache/collections does not do: the files git knows
#   (tracked or not ignored) are copied to .cache/sanity/ansible_collections/eucalyptus/cloud.
#   The copy gets an empty git repository of its own, so that ansible-test lists its files.
# * ansible-test runs on the venv's own Python (no --venv delegation: the 2.16 import test on
#   Python 2.7 needs the virtualenv that requirements/core-2.16.txt puts into that venv). It makes
#   a virtual environment per sanity test under $HOME/.ansible/test; HOME is
#   .cache/ansible-test-home, so nothing lands outside the checkout, and its cache holds
#   scripts/ansible-test-get-pip.py as every get_pip_<version>.py (ansible-test's pip bootstrap
#   comes from a host these machines cannot reach).
# * The Python versions for the import and compile tests are pyenv's, linked as pythonX.Y into
#   .cache/sanity/bin. ansible-test skips a version or a test whose interpreter, program or
#   environment it does not find, with a warning: such a warning fails this script.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"

versions=() args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; args=("$@"); break ;;
    *) versions+=("$1"); shift ;;
  esac
done
[ ${#versions[@]} -gt 0 ] || versions=(2.19 2.16)

tree=.cache/sanity/ansible_collections/eucalyptus/cloud
# (a fresh copy each run; only its git directory is kept)
mkdir -p "$tree"
find "$tree" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$tree"
# its own (empty) git repository: otherwise ansible-test finds the checkout's and sees no files
[ -d "$tree/.git" ] || git -C "$tree" init -q

bin="$top/.cache/sanity/bin"
rm -rf "$bin"; mkdir -p "$bin"
pyenv_root="$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"
for p in "$pyenv_root"/versions/*/bin/python[23].[0-9]*; do
  n="$(basename "$p")"; case "${n#python}" in *[!0-9.]*) continue ;; esac
  [ -x "$p" ] && [ ! -e "$bin/$(basename "$p")" ] && ln -s "$p" "$bin/$(basename "$p")"
done

home="$top/.cache/ansible-test-home"
mkdir -p "$home/.ansible/test/cache"

rc=0
for v in "${versions[@]}"; do
  case "$v" in
    2.19) venv_bin="$top/.venv/bin" ;;
    2.16) venv_bin="$(scripts/venv-2.16.sh)" ;;
    *) echo "sanity.sh: unknown ansible-core version $v (2.19 or 2.16)" >&2; exit 2 ;;
  esac
  # every pip version this ansible-test bootstraps gets the offline get-pip
  grep -ohE "pip='[0-9.]+'" "$venv_bin"/../lib/python3*/site-packages/ansible_test/_internal/python_requirements.py \
    | grep -oE '[0-9.]+' | while read -r pv; do
      cp scripts/ansible-test-get-pip.py "$home/.ansible/test/cache/get_pip_${pv//./_}.py"
    done
  echo "--- ansible-test sanity, ansible-core $("$venv_bin/ansible" --version | sed -n '1s/.*core \([0-9.]*\).*/\1/p')"
  t0=$SECONDS
  log="$top/.cache/sanity/sanity-$v.log"
  (cd "$tree" && HOME="$home" PATH="$venv_bin:$bin:$PATH" \
    "$venv_bin/ansible-test" sanity --color no "${args[@]}") 2>&1 | tee "$log" || rc=1
  # a test that did not run is a failure too (a missing interpreter, program or environment)
  if grep -E "^WARNING: (Skipping sanity test|Required program|All targets skipped)" "$log" | sort -u | grep .; then
    echo "sanity $v: the tests above did not run"; rc=1
  fi
  echo "--- sanity $v: $((SECONDS - t0)) s"
done
exit $rc
