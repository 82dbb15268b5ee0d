"""Fixture of the role render tests (rolerender.py)."""
import pytest

from rolerender import make_renderer


@pytest.fixture
def render_role(tmp_path):
    return make_renderer(tmp_path)
