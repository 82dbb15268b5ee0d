#!/usr/bin/env bash
# shellcheck disable=SC2317  # the stage_* functions are called indirectly, as "stage_$name"
# `make test`: set-up, then the stages in order. Every stage runs even when an earlier one failed
# (so one run shows everything); the exit status is non-zero when any stage failed.
# With arguments, runs only those stages: scripts/test.sh unit lint
set -uo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top" || exit 1
export CONTAINERS_CONF="$top/.cache/containers.conf"
export ANSIBLE_COLLECTIONS_PATH="$top/.cache/collections"
export ANSIBLE_CONFIG="$top/ansible.cfg"
# Molecule's prerun installs the collection into $ANSIBLE_HOME/collections (default ~/.ansible,
# shared by every checkout on the machine, and searched first). Here that is .cache/collections,
# whose symlink to this checkout molecule recognises and leaves alone.
export ANSIBLE_HOME="$top/.cache"
export PATH="$top/.venv/bin:$PATH"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1

declare -a names=() times=() results=()
failed=0
stage() {  # stage NAME CMD...
  local name="$1"; shift
  local t0=$SECONDS
  echo "=== stage: $name"
  "$@"; local rc=$?
  names+=("$name"); times+=($((SECONDS - t0)))
  if [ $rc -eq 0 ]; then results+=(ok); else results+=("FAILED ($rc)"); failed=1; fi
  echo "=== stage: $name: ${results[-1]} in $((SECONDS - t0)) s"
}

pytest_stage() {  # pytest exit 5 (nothing collected) is a failure here: a stage must test something;
  # --strict-skips (tests/stage_checks.py): a skipped test fails unless marked may_skip, and a
  # run in which no test passed fails
  pytest -p no:cacheprovider --strict-skips "$@"
}

stage_setup() {
  scripts/bootstrap.sh && tests/lab/image/build.sh >/dev/null && \
    { [ ! -x tests/lab/packages/build.sh ] || tests/lab/packages/build.sh >/dev/null; }
}
stage_unit() { pytest_stage -q tests/unit; }
stage_lint() {
  local rc=0
  echo "--- vermin: plugins/ must run on EL7 targets (python 2.7 and 3.6)"
  vermin -q -t=2.7- -t=3.6- --violations --no-tips --eval-annotations plugins/ || rc=1
  echo "--- ansible-doc: every plugin's documentation renders"
  for m in plugins/modules/*.py; do
    [ -e "$m" ] || continue
    ansible-doc -t module "eucalyptus.cloud.$(basename "$m" .py)" >/dev/null || { echo "ansible-doc failed: $m"; rc=1; }
  done
  echo "--- ansible-lint --profile production"
  ansible-lint --offline --profile production -q || rc=1
  echo "--- collection build (< 2 MiB) and install"
  scripts/check-build.sh || rc=1
  return "$rc"
}
# ansible-test sanity with the pinned ansible-core and with 2.16 (the EL7 controller)
stage_sanity() { scripts/sanity.sh 2.19 2.16; }
stage_integration() { pytest_stage -q tests/integration; }
stage_el7() {  # the modules' integration tests again: ansible-core 2.16 controller, EL7 targets
  # (Python 2.7 and 3.6 with EL7's netaddr/requests), both targets at once (mostly waiting)
  local bin targets line v py rc=0 i
  local -a vs=() pids=() logs=()
  bin="$(scripts/venv-2.16.sh)" || return 1
  targets="$(scripts/el7-targets.sh)" || return 1   # fails naming EL7_PYTHON27 / EL7_PYTHON36
  mapfile -t targets <<< "$targets"                 # "VERSION PYTHON" per target
  for line in "${targets[@]}"; do
    v="${line%% *}"; py="${line#* }"
    vs+=("$v"); logs+=("$top/.cache/el7/pytest-$v.log")
    ( t0=$SECONDS
      echo "--- el7: ansible-core $("$bin/python" -c 'import ansible; print(ansible.__version__)') controller, target Python $v ($py)"
      PATH="$bin:$PATH" EUCLOUD_TARGET_PYTHON="$py" \
        ANSIBLE_COLLECTIONS_PATH="$ANSIBLE_COLLECTIONS_PATH:$top/.cache/el7/collections" \
        pytest_stage -q --basetemp="$top/.cache/el7/tmp-$v" tests/integration/midonet tests/integration/uplink
      r=$?
      # a pytest process of its own: each of these directories has a conftest.py, and given
      # together on one command line the first one loaded answers every `from conftest import`
      PATH="$bin:$PATH" EUCLOUD_TARGET_PYTHON="$py" \
        ANSIBLE_COLLECTIONS_PATH="$ANSIBLE_COLLECTIONS_PATH:$top/.cache/el7/collections" \
        EUCLOUD_EL7_LIBS="" pytest_stage -q --basetemp="$top/.cache/el7/tmp-$v-euca" tests/integration/euca || r=1
      echo "--- el7 Python $v: $((SECONDS - t0)) s, exit $r"; exit "$r"
    ) > "${logs[-1]}" 2>&1 < /dev/null &
    pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || rc=1
    cat "${logs[$i]}"
  done
  return "$rc"
}
stage_molecule() {
  local rc=0 s
  for s in molecule/*/molecule.yml; do
    s="$(basename "$(dirname "$s")")"
    echo "--- molecule test -s $s"
    local t0=$SECONDS
    molecule test -s "$s" || rc=1
    echo "--- molecule $s: $((SECONDS - t0)) s"
  done
  return "$rc"
}

# The multi-node lab end to end, as `make lab INVENTORY=inventories/lab-multinode` runs it:
# hosts up, site.yml --check (on fresh hosts in CI), site.yml, which must have changed exactly the
# tasks the check predicted (per host), the lab check (tests/infra on every host of each group),
# then site.yml again and site.yml --check, which must change nothing (changed=0 in every line of
# their recaps).
# The lab is left up and reused by the next run (lab.py recreates any host whose image or
# options changed, and stale records of killed sessions); LAB_FRESH=1 takes it down first, for
# a deployment on fresh hosts. `make lab-down INVENTORY=inventories/lab-multinode` removes it.
lab_recap() {  # lab_recap LOG: the PLAY RECAP of an ansible-playbook log
  sed -n '/^PLAY RECAP/,/^$/p' "$1"
}
lab_changed_tasks() {  # lab_changed_tasks LOG: "host<TAB>task" of every change the log reports
  awk '/^TASK \[/ { t = $0; sub(/^TASK \[/, "", t); sub(/\] \**$/, "", t) }
       /^changed: \[/ { h = $2; sub(/^\[/, "", h); sub(/\]$/, "", h); print h "\t" t }' "$1" | sort -u
}
lab_noop() {  # lab_noop LOG WHAT: fails unless every recap line reads changed=0 unreachable=0 failed=0
  local recap
  recap="$(lab_recap "$1")"
  echo "$recap"
  if ! grep -q 'ok=' <<<"$recap"; then
    echo "lab: no play recap in $2"; return 1
  elif grep -E 'ok=' <<<"$recap" | grep -Evq 'changed=0 +unreachable=0 +failed=0'; then
    echo "lab: $2 is not a no-op:"
    lab_changed_tasks "$1" | head -40
    return 1
  fi
}
stage_lab() {
  local inv=inventories/lab-multinode log rc=0 t0
  log="$top/.cache/test-lab"
  LAB_IMAGE="$(tests/lab/image/build.sh)" || return 1
  export LAB_IMAGE
  if [ -n "${LAB_FRESH:-}" ]; then python tests/lab/lab.py down "$inv" || return 1; fi
  t0=$SECONDS
  python tests/lab/lab.py up "$inv" || return 1
  echo "--- lab up: $((SECONDS - t0)) s"; t0=$SECONDS
  ansible-playbook -i "$inv" playbooks/site.yml --check --diff >"$log-check1.log" 2>&1 || rc=1
  lab_recap "$log-check1.log"
  echo "--- site.yml --check: $((SECONDS - t0)) s (log: $log-check1.log)"; t0=$SECONDS
  if [ "$rc" -ne 0 ]; then tail -40 "$log-check1.log"; return 1; fi
  ansible-playbook -i "$inv" playbooks/site.yml >"$log-site1.log" 2>&1 || rc=1
  lab_recap "$log-site1.log"
  echo "--- site.yml: $((SECONDS - t0)) s (log: $log-site1.log)"; t0=$SECONDS
  if [ "$rc" -ne 0 ]; then tail -40 "$log-site1.log"; return 1; fi
  if ! diff <(lab_changed_tasks "$log-check1.log") <(lab_changed_tasks "$log-site1.log"); then
    echo "lab: site.yml changed other tasks than its --check predicted (< predicted only, > changed only)"
    rc=1
  elif [ -z "$(lab_changed_tasks "$log-site1.log")" ]; then
    echo "--- site.yml --check predicted no change, and site.yml changed nothing (a converged lab)"
  else
    echo "--- site.yml --check predicted exactly the $(lab_changed_tasks "$log-site1.log" | wc -l) task changes of site.yml"
  fi
  python tests/lab/lab.py check "$inv" || rc=1
  echo "--- lab check: $((SECONDS - t0)) s"; t0=$SECONDS
  ansible-playbook -i "$inv" playbooks/site.yml >"$log-site2.log" 2>&1 || { tail -40 "$log-site2.log"; rc=1; }
  lab_noop "$log-site2.log" "the second site.yml run" || rc=1
  echo "--- site.yml again: $((SECONDS - t0)) s (log: $log-site2.log)"; t0=$SECONDS
  ansible-playbook -i "$inv" playbooks/site.yml --check --diff >"$log-check2.log" 2>&1 || { tail -40 "$log-check2.log"; rc=1; }
  lab_noop "$log-check2.log" "site.yml --check on the converged lab" || rc=1
  echo "--- site.yml --check again: $((SECONDS - t0)) s (log: $log-check2.log)"
  return "$rc"
}

all=(setup unit lint sanity integration el7 molecule lab)
want=("$@")
[ ${#want[@]} -eq 0 ] && want=("${all[@]}")
[ "${want[0]}" = setup ] || stage setup stage_setup
for s in "${want[@]}"; do stage "$s" "stage_$s"; done

echo
echo "=== make test summary"
total=0
for i in "${!names[@]}"; do
  printf '  %-12s %6s s  %s\n' "${names[$i]}" "${times[$i]}" "${results[$i]}"
  total=$((total + times[i]))
done
printf '  %-12s %6s s\n' total "$total"
exit $failed
