# The two commands: `make test` and `make lab`. Each does all of its own set-up.
SHELL := /bin/bash
INVENTORY ?= inventories/lab
export CONTAINERS_CONF := $(CURDIR)/.cache/containers.conf
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.cache/collections
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: test lab lab-down lab-status bootstrap image packages unit lint sanity integration molecule build bench

test: ## Install what is missing, then unit, lint, sanity, integration, el7 and molecule stages
	@scripts/test.sh

lab: ## Build the lab image, start the lab hosts and deploy playbooks/site.yml into them
	@scripts/lab.sh up $(INVENTORY)

lab-down: ## Remove the lab containers, network and volumes
	@scripts/bootstrap.sh >/dev/null && .venv/bin/python tests/lab/lab.py down $(INVENTORY)

lab-status:
	@.venv/bin/python tests/lab/lab.py status $(INVENTORY)

bootstrap:
	@scripts/bootstrap.sh

image: bootstrap
	@tests/lab/image/build.sh

packages:
	@if [ -x tests/lab/packages/build.sh ]; then tests/lab/packages/build.sh; fi

# Single stages, for development.
unit: bootstrap
	@scripts/test.sh unit
lint: bootstrap
	@scripts/test.sh lint
sanity: bootstrap
	@scripts/test.sh sanity
integration: bootstrap
	@scripts/test.sh integration
molecule: bootstrap
	@scripts/test.sh molecule
.PHONY: el7
el7: bootstrap ## The modules' integration tests with an ansible-core 2.16 controller on EL7 targets
	@scripts/test.sh el7

build: bootstrap ## Build the collection tarball
	@ansible-galaxy collection build --force --output-path build/ .

bench: bootstrap
	@for b in benchmarks/*/bench.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done
