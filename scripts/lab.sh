#!/usr/bin/env bash
# `make lab`: set-up, lab image, lab packages, lab hosts from the inventory, playbooks/site.yml,
# then a lab check (testinfra against the hosts) and a short summary.
set -uo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
cd "$top" || exit 1
action="${1:-up}"; inventory="${2:-inventories/lab}"
[ "$action" = up ] || { echo "lab.sh: unknown action $action (only: up)" >&2; exit 2; }
export CONTAINERS_CONF="$top/.cache/containers.conf"
export ANSIBLE_COLLECTIONS_PATH="$top/.cache/collections"
export ANSIBLE_CONFIG="$top/ansible.cfg"
export PATH="$top/.venv/bin:$PATH"
t0=$SECONDS
log="$top/.cache/lab-site.log"

step() { echo "=== lab: $*"; }
step "set-up"
scripts/bootstrap.sh || exit 1
image="$(tests/lab/image/build.sh)" || exit 1
export LAB_IMAGE="$image"  # this recipe's image (other checkouts retag the shared :current)
step "image $image"
if [ -x tests/lab/packages/build.sh ]; then tests/lab/packages/build.sh >/dev/null || exit 1; fi
step "hosts from $inventory"
python tests/lab/lab.py up "$inventory" || exit 1
t_hosts=$SECONDS
step "ansible-playbook playbooks/site.yml (log: $log)"
ANSIBLE_NOCOLOR=1 ansible-playbook -i "$inventory" playbooks/site.yml 2>&1 | tee "$log"
site_rc=${PIPESTATUS[0]}
t_site=$SECONDS
step "lab check"
python tests/lab/lab.py check "$inventory"
check_rc=$?

echo
echo "=== make lab summary ($inventory)"
python tests/lab/lab.py status "$inventory" | sed 's/^/  /'
echo "  play recap:"
sed -n '/^PLAY RECAP/,/^$/p' "$log" | tail -n +2 | sed 's/^/  /'
changed=$(sed -n '/^PLAY RECAP/,/^$/p' "$log" | grep -o 'changed=[0-9]*' | cut -d= -f2 | awk '{s+=$1} END {print s+0}')
echo "  site.yml: rc=$site_rc, changed tasks in total: $changed"
echo "  lab check: $([ "$check_rc" -eq 0 ] && echo passed || echo FAILED)"
echo "  time: hosts $((t_hosts - t0)) s, site.yml $((t_site - t_hosts)) s, check $((SECONDS - t_site)) s, total $((SECONDS - t0)) s"
[ "$site_rc" -eq 0 ] && [ "$check_rc" -eq 0 ]
