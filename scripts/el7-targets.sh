#!/usr/bin/env bash
# The EL7 targets for the `el7` stage of scripts/test.sh: one virtualenv per EL7 interpreter,
#   .cache/el7/py2.7  on $EL7_PYTHON27 (default: pyenv's 2.7.x)  -- EL7's /usr/bin/python
#   .cache/el7/py3.6  on $EL7_PYTHON36 (default: pyenv's 3.6.x)  -- EL7's /usr/bin/python3
# each with the library versions EL7 ships (requirements/el7-targets.txt, from PyPI) and the
# test-only import observer tests/el7_import_probe.py. Plus .cache/el7/collections: the collections
# galaxy.yml depends on (ansible.posix, community.general) for the ansible-core 2.16 controller,
# linked from the pinned `ansible` bundle in .venv (nothing downloaded).
# Idempotent (a stamp per venv); prints "VERSION PATH-OF-THE-VENV'S-PYTHON" per target.
# Fails, naming the variable, when an interpreter is missing or is not the version it names.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
req=requirements/el7-targets.txt
vreq=requirements/el7-virtualenv.txt
probe=tests/el7_import_probe.py
pyenv_root="$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")"

quiet_pip() {  # this machine's pip configuration names local indexes that may not exist
  "$@" 2>&1 | { grep -v "^WARNING: \(Location\|Url\) '.*' is ignored\|DEPRECATION: Python 2.7\|^WARNING: You are using pip" || true; } >&2
  return "${PIPESTATUS[0]}"
}

find_python() {  # find_python VAR MAJOR.MINOR -> path of the interpreter
  local var="$1" want="$2" py="${!1:-}" c
  if [ -z "$py" ]; then
    for c in "$pyenv_root"/versions/"$want".*/bin/python"$want"; do
      [ -x "$c" ] && py="$c"
    done
  fi
  if [ -z "$py" ] || [ ! -x "$py" ]; then
    echo "el7-targets.sh: no Python $want for the EL7 targets: set $var to its path (looked in ${!1:-$pyenv_root/versions/$want.*})" >&2
    return 1
  fi
  local got
  got="$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
  if [ "$got" != "$want" ]; then
    echo "el7-targets.sh: $var=$py is Python '${got:-?}', not $want" >&2
    return 1
  fi
  echo "$py"
}

py27="$(find_python EL7_PYTHON27 2.7)"
py36="$(find_python EL7_PYTHON36 3.6)"

ctl_bin="$(scripts/venv-2.16.sh)"
tools=.cache/el7/virtualenv
tools_want="$( (sha256sum "$vreq"; "$ctl_bin/python" -V) | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$tools/.stamp" 2>/dev/null)" != "$tools_want" ]; then
  echo "el7-targets.sh: installing $(grep -v '^#' "$vreq" | tr '\n' ' ')into $tools" >&2
  rm -rf "$tools"
  quiet_pip "$ctl_bin/python" -m pip install -q --disable-pip-version-check --target "$tools" -r "$vreq" \
    || { echo "el7-targets.sh: pip install of virtualenv failed" >&2; exit 1; }
  echo "$tools_want" > "$tools/.stamp"
fi

make_target() {  # make_target MAJOR.MINOR BASE-PYTHON
  local v="$1" base="$2" venv=".cache/el7/py$1"
  local want
  want="$( (sha256sum "$req" "$probe"; cat "$tools/.stamp"; "$base" -V 2>&1; echo "$base") | sha256sum | cut -d' ' -f1)"
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
    echo "el7-targets.sh: creating $venv on $base ($("$base" -V 2>&1)) with $(grep -v '^#' "$req" | tr '\n' ' ')" >&2
    rm -rf "$venv"
    PYTHONPATH="$top/$tools" "$ctl_bin/python" -m virtualenv -q --no-periodic-update --no-wheel -p "$base" "$venv" >&2 \
      || { echo "el7-targets.sh: virtualenv $venv failed" >&2; exit 1; }
    quiet_pip "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-cache-dir -r "$req" \
      || { echo "el7-targets.sh: pip install into $venv failed" >&2; exit 1; }
    local site
    site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    cp "$probe" "$site/eucloud_el7_import_probe.py"
    echo "import eucloud_el7_import_probe" > "$site/eucloud_el7_import_probe.pth"
    echo "$want" > "$venv/.stamp"
  fi
  echo "$v $top/$venv/bin/python"
}

# collections galaxy.yml depends on, for the 2.16 controller (the 2.19 one has them in its bundle)
bundle="$(.venv/bin/python -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__file__))' 2>/dev/null || true)"
[ -n "$bundle" ] || bundle="$(.venv/bin/python -c 'import ansible_collections; print(list(ansible_collections.__path__)[0])')"
for c in ansible/posix community/general; do
  [ -d "$bundle/$c" ] || { echo "el7-targets.sh: $c is missing from $bundle (scripts/bootstrap.sh installs it)" >&2; exit 1; }
  mkdir -p ".cache/el7/collections/ansible_collections/${c%/*}"
  ln -sfn "$bundle/$c" ".cache/el7/collections/ansible_collections/$c"
done

make_target 2.7 "$py27"
make_target 3.6 "$py36"
