"""The sample plan as a fixture; the plan itself lives in render_fixtures.py."""

from __future__ import annotations

import pytest
from render_fixtures import build_plan

from netsync.model import Plan


@pytest.fixture
def plan() -> Plan:
    return build_plan()
