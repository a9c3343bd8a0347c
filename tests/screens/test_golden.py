"""The main screens, rendered from the deterministic demo snapshot, match their golden images."""

from __future__ import annotations

import pytest
from golden import compare

from hmi.screenshot import demo_snapshot, render

MAIN_SCREENS = [
    ("menu", {}),
    ("basic.summary", {}),
    ("basic.volts_ll", {}),
    ("basic.amps", {}),
    ("power.active", {}),
    ("power.pf", {}),
    ("energy.active", {}),
    ("demand.peak", {}),
    ("minmax.voltage", {}),
    ("pq.harmonics", {"page": 3, "cursor": 5}),
    ("pq.phasors", {}),
    ("pq.waveform", {}),
    ("pq.unbalance", {}),
    ("nameplate.info", {}),
    ("setup.meter", {}),
]


@pytest.mark.parametrize(("screen_id", "view"), MAIN_SCREENS, ids=[s for s, _ in MAIN_SCREENS])
def test_screen_matches_golden_image(qapp, screen_id, view):
    image = render(screen_id, demo_snapshot(), **view)
    name = screen_id + "".join(f"-{k}{v}" for k, v in view.items())
    problem = compare(name, image)
    assert problem is None, problem
