"""Fixtures shared by the security sweeps."""

import pytest

from .support import plain_template_rendering


@pytest.fixture
def fast_templates():
    """Sweeps of many requests render without the test runner's per-template instrumentation."""
    with plain_template_rendering():
        yield
