"""Fixtures for the MidoNet module integration tests: a MidoNet API stand-in per test module,
flavor 1 (MidoNet 1.x) and 5 (5.x). Skipped when the stand-in file is absent."""
import uuid

import pytest

from midonet_standin import StandIn


@pytest.fixture(scope="module", params=[1, 5], ids=["midonet1", "midonet5"])
def mido(request):
    """A stand-in without authentication (MockAuthService, as Eucalyptus installs), both flavors."""
    s = StandIn(request.param)
    yield s
    s.stop()


@pytest.fixture(scope="module", params=[1, 5], ids=["midonet1", "midonet5"])
def mido_auth(request):
    """A stand-in requiring keystone-like authentication (user/password), both flavors."""
    s = StandIn(request.param, auth="keystone")
    yield s
    s.stop()


@pytest.fixture
def zone_name(request):
    """A fresh zone name per test (the stand-in lives for the whole module)."""
    return "tz-" + uuid.uuid4().hex[:8]
