"""Shared pytest set-up: make the checkout importable as ``ansible_collections.eucalyptus.cloud``.

``scripts/bootstrap.sh`` creates ``.cache/collections/ansible_collections/eucalyptus/cloud`` as a
relative link to the checkout, so nothing depends on where the checkout sits.
"""
import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(TOP, ".cache", "collections")

if not os.path.isdir(os.path.join(COLLECTIONS, "ansible_collections", "eucalyptus", "cloud")):
    raise RuntimeError("run scripts/bootstrap.sh (or make test) first: %s is missing" % COLLECTIONS)
if COLLECTIONS not in sys.path:
    sys.path.insert(0, COLLECTIONS)
os.environ.setdefault("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS)

# --strict-skips and the el7 target checks (see tests/stage_checks.py), loaded as a plugin
pytest_plugins = ["stage_checks"]
