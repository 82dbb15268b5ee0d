"""Fixture of the euca_* module integration tests: a running CLC stand-in per product line
(4.1 and 4.4), see euca_cloud.py."""
import os
import shutil

import pytest

from euca_cloud import EucaCloud


@pytest.fixture(scope="module", params=["4.1", "4.4"], ids=["euca41", "euca44"])
def cloud(request):
    if shutil.which("psql") is None or not os.path.isdir("/usr/lib/postgresql"):
        pytest.fail("PostgreSQL (Debian's postgresql, scripts/bootstrap.sh) is needed by the CLC stand-in")
    c = EucaCloud(request.param)
    try:
        c.setup()
        yield c
    finally:
        c.cleanup()
