"""ITIC (CBEMA, revised 2000) and SEMI F47-0706 classification, checked on both sides of every
segment of the curves as published (power-quality.md §6)."""

from __future__ import annotations

import math

import pytest

from engine.pq.curves import itic_limits, itic_region, semi_f47

CYCLE_001 = 0.01 / 60.0  # 0.01 cycle at 60 Hz [s], where the ITIC curve starts at 500 %


def _log_mid(t1: float, t2: float) -> float:
    """The duration half-way between t1 and t2 on the log-time axis."""
    return math.sqrt(t1 * t2)


@pytest.mark.parametrize(
    ("duration", "magnitude", "region"),
    [
        # Upper curve, 500 % at 0.01 cycle down to 200 % at 1 ms (straight on log time):
        # half-way in log time the boundary is 350 %.
        (_log_mid(CYCLE_001, 1e-3), 345.0, "no-interruption"),
        (_log_mid(CYCLE_001, 1e-3), 355.0, "prohibited"),
        (CYCLE_001, 499.0, "no-interruption"),
        (CYCLE_001, 501.0, "prohibited"),
        # 200 % at 1 ms down to 140 % at 3 ms: 170 % half-way in log time.
        (1e-3, 199.0, "no-interruption"),
        (1e-3, 201.0, "prohibited"),
        (_log_mid(1e-3, 3e-3), 165.0, "no-interruption"),
        (_log_mid(1e-3, 3e-3), 175.0, "prohibited"),
        (3e-3, 139.0, "no-interruption"),
        (3e-3, 141.0, "prohibited"),
        # Step to 120 % after 3 ms, held to 0.5 s.
        (3.5e-3, 125.0, "prohibited"),
        (0.1, 119.0, "no-interruption"),
        (0.1, 121.0, "prohibited"),
        (0.5, 119.5, "no-interruption"),
        # 110 % after 0.5 s, to 10 s and in steady state.
        (0.6, 115.0, "prohibited"),
        (5.0, 109.0, "no-interruption"),
        (5.0, 111.0, "prohibited"),
        (100.0, 109.5, "no-interruption"),
        (100.0, 110.5, "prohibited"),
        # Lower curve: 0 % tolerated up to 20 ms.
        (0.015, 0.0, "no-interruption"),
        (0.02, 0.0, "no-interruption"),
        # 70 % from 20 ms to 0.5 s.
        (0.021, 69.0, "no-damage"),
        (0.021, 71.0, "no-interruption"),
        (0.3, 69.0, "no-damage"),
        (0.3, 71.0, "no-interruption"),
        (0.5, 69.5, "no-damage"),
        # 80 % from 0.5 s to 10 s.
        (0.51, 79.0, "no-damage"),
        (0.51, 81.0, "no-interruption"),
        (10.0, 79.5, "no-damage"),
        (10.0, 80.5, "no-interruption"),
        # 90 % in steady state.
        (10.1, 89.0, "no-damage"),
        (10.1, 91.0, "no-interruption"),
        (3600.0, 89.9, "no-damage"),
        (3600.0, 100.0, "no-interruption"),
    ],
)
def test_itic_regions_on_both_sides_of_each_segment(duration, magnitude, region):
    assert itic_region(duration, magnitude) == region


def test_itic_corner_values_are_the_published_points():
    assert itic_limits(CYCLE_001)[1] == pytest.approx(500.0)
    assert itic_limits(1e-3)[1] == pytest.approx(200.0)
    assert itic_limits(3e-3)[1] == pytest.approx(140.0)
    assert itic_limits(_log_mid(CYCLE_001, 1e-3))[1] == pytest.approx(350.0)
    assert itic_limits(_log_mid(1e-3, 3e-3))[1] == pytest.approx(170.0)
    assert [itic_limits(t) for t in (0.01, 0.2, 0.5, 1.0, 10.0, 60.0)] == [
        (0.0, 120.0), (70.0, 120.0), (70.0, 120.0), (80.0, 110.0), (80.0, 110.0), (90.0, 110.0),
    ]  # fmt: skip


def test_points_on_a_boundary_are_tolerated():
    assert itic_region(0.1, 120.0) == "no-interruption"
    assert itic_region(0.1, 70.0) == "no-interruption"
    assert itic_region(2.0, 110.0) == "no-interruption"
    assert itic_region(2.0, 80.0) == "no-interruption"


@pytest.mark.parametrize(
    ("duration", "residual", "verdict"),
    [
        # 50 % from 0.05 s to 0.2 s (10 cycles at 50 Hz, 12 at 60 Hz).
        (0.05, 49.0, "fail"),
        (0.05, 51.0, "pass"),
        (0.1, 49.0, "fail"),
        (0.1, 51.0, "pass"),
        (0.2, 50.0, "pass"),
        (0.2, 49.9, "fail"),
        # 70 % up to 0.5 s.
        (0.21, 69.0, "fail"),
        (0.21, 71.0, "pass"),
        (0.5, 70.0, "pass"),
        (0.5, 69.9, "fail"),
        # 80 % up to 1 s.
        (0.51, 79.0, "fail"),
        (0.51, 81.0, "pass"),
        (1.0, 80.0, "pass"),
        (1.0, 79.9, "fail"),
        # Past 1 s the curve is not given: deeper than 80 % still fails (it holds a 1-s sag
        # below 80 %), 80 % or more is not assessed.
        (1.5, 79.0, "fail"),
        (1.5, 85.0, "n/a"),
        # Below 50 ms no level is mandatory: milder than 50 % for 0.2 s passes, deeper is n/a.
        (0.03, 60.0, "pass"),
        (0.03, 40.0, "n/a"),
        (0.01, 0.0, "n/a"),
    ],
)
def test_semi_f47_on_both_sides_of_each_segment(duration, residual, verdict):
    assert semi_f47(duration, residual) == verdict


@pytest.mark.parametrize(
    ("duration", "magnitude", "match"),
    [
        (-0.01, 50.0, "duration"),
        (math.nan, 50.0, "duration"),
        (math.inf, 50.0, "duration"),
        (0.1, -1.0, "magnitude"),
        (0.1, math.nan, "magnitude"),
    ],
)
def test_bad_points_are_refused_clearly(duration, magnitude, match):
    with pytest.raises(ValueError, match=match):
        itic_region(duration, magnitude)
    with pytest.raises(ValueError, match=match):
        semi_f47(duration, magnitude)
