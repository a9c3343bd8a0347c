"""EN 50160:2010 limits against the numbers of shared/reference/power-quality.md §4, typed here
independently of the module."""

from __future__ import annotations

import pytest

from engine.compliance.en50160_limits import (
    EDITION,
    HARMONIC_LIMITS,
    PLT_LIMIT,
    THD_LIMIT_PCT,
    THD_MAX_ORDER,
    UNBALANCE_LIMIT_PCT,
    En50160Settings,
    frequency_limits,
    voltage_limits,
)

# power-quality.md §4, individual harmonic table: (order, % of U1)
REFERENCE_HARMONICS = [
    (5, 6.0), (7, 5.0), (11, 3.5), (13, 3.0), (17, 2.0), (19, 1.5), (23, 1.5), (25, 1.5),
    (3, 5.0), (9, 1.5), (15, 0.5), (21, 0.5),
    (2, 2.0), (4, 1.0), (6, 0.5), (8, 0.5), (10, 0.5), (12, 0.5), (14, 0.5), (16, 0.5),
    (18, 0.5), (20, 0.5), (22, 0.5), (24, 0.5),
]  # fmt: skip


def test_edition_is_pinned():
    assert EDITION == "EN 50160:2010"


@pytest.mark.parametrize(("order", "limit"), REFERENCE_HARMONICS)
def test_each_individual_harmonic_limit(order, limit):
    assert HARMONIC_LIMITS[order] == limit


def test_harmonic_table_covers_2_to_25_and_nothing_above():
    assert sorted(HARMONIC_LIMITS) == list(range(2, 26))
    assert len(REFERENCE_HARMONICS) == 24


def test_single_limits():
    assert (PLT_LIMIT, UNBALANCE_LIMIT_PCT, THD_LIMIT_PCT, THD_MAX_ORDER) == (1.0, 2.0, 8.0, 40)


def _ranges(limits):
    return [(lim.low, lim.high, lim.required_pct) for lim in limits]


def test_frequency_synchronous_50hz():
    # 50 Hz ± 1 % for 99.5 %; +4 % / −6 % for 100 %
    s = En50160Settings(230.0)
    assert _ranges(frequency_limits(s)) == [(49.5, 50.5, 99.5), (47.0, 52.0, 100.0)]


def test_frequency_island_50hz():
    # ± 2 % for 95 % of each week; ± 15 % for 100 %
    s = En50160Settings(230.0, system="island")
    assert _ranges(frequency_limits(s)) == [(49.0, 51.0, 95.0), (42.5, 57.5, 100.0)]


def test_frequency_60hz_scales_the_percentages():
    s = En50160Settings(120.0, nominal_frequency=60)
    assert _ranges(frequency_limits(s)) == [(59.4, 60.6, 99.5), (56.4, 62.4, 100.0)]


def test_voltage_lv():
    # Un ± 10 % for 95 % of each week; +10 % / −15 % for 100 %
    assert _ranges(voltage_limits(En50160Settings(230.0))) == [
        (207.0, 253.0, 95.0),
        (195.5, 253.0, 100.0),
    ]


def test_voltage_mv():
    # ± 10 % for 99 % of the week; ± 15 % for 100 %
    s = En50160Settings(20000.0)
    assert s.network == "MV"
    assert _ranges(voltage_limits(s)) == [(18000.0, 22000.0, 99.0), (17000.0, 23000.0, 100.0)]


@pytest.mark.parametrize(("un", "network"), [(230.0, "LV"), (1000.0, "LV"), (1000.5, "MV")])
def test_network_defaults_from_1kv(un, network):
    assert En50160Settings(un).network == network


def test_explicit_network_wins():
    assert En50160Settings(400.0, network="MV").network == "MV"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"declared_voltage": 0.0}, "declared_voltage"),
        ({"declared_voltage": float("nan")}, "declared_voltage"),
        ({"declared_voltage": True}, "declared_voltage"),
        ({"declared_voltage": 110e3}, "36 kV"),
        ({"declared_voltage": 230.0, "nominal_frequency": 55}, "50 or 60"),
        ({"declared_voltage": 230.0, "network": "HV"}, "network"),
        ({"declared_voltage": 230.0, "system": "isolated"}, "system"),
    ],
)
def test_settings_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        En50160Settings(**kwargs)
