#!/usr/bin/env bash
# Creates .cache/venv-2.16: an ansible-core 2.16 controller (the EL7 one), from
# requirements/core-2.16.txt, on Python EL7_CONTROLLER_PYTHON (default: pyenv's 3.10, then any
# python3.10 on PATH). Idempotent (a stamp of the requirements); prints the venv's bin directory.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top"
venv=.cache/venv-2.16
req=requirements/core-2.16.txt
py="${EL7_CONTROLLER_PYTHON:-}"
if [ -z "$py" ]; then
  for c in "$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")"/versions/3.10*/bin/python3.10 "$(command -v python3.10 || true)"; do
    if [ -n "$c" ] && [ -x "$c" ]; then py="$c"; break; fi
  done
fi
if [ -z "$py" ] || [ ! -x "$py" ]; then
  echo "venv-2.16.sh: no Python 3.10 found for the ansible-core 2.16 controller; set EL7_CONTROLLER_PYTHON" >&2
  exit 1
fi
want="$( (sha256sum "$req"; "$py" -V) | sha256sum | cut -d' ' -f1)"
if [ ! -x "$venv/bin/ansible-playbook" ] || [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
  echo "venv-2.16.sh: creating $venv with $("$py" -V) from $req" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" 2>&1 \
    | { grep -v "^WARNING: Location '.*' is ignored" || true; } >&2
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "venv-2.16.sh: pip install failed" >&2; exit 1; }
  echo "$want" > "$venv/.stamp"
fi
echo "$top/$venv/bin"
