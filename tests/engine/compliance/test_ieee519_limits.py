"""IEEE 519-2014 limit tables against the numbers of shared/reference/power-quality.md §5,
typed here independently of the module; band edges in bus voltage, ISC/IL and order."""

from __future__ import annotations

import pytest

from engine.compliance.ieee519_limits import (
    EDITION,
    Ieee519Settings,
    current_limits,
    voltage_limits,
)


def test_edition_is_pinned_to_2014():
    assert EDITION == "IEEE 519-2014"


# Table 1: bus voltage [V] -> (individual %, THD %)
@pytest.mark.parametrize(
    ("bus", "individual", "thd"),
    [
        (120.0, 5.0, 8.0), (1000.0, 5.0, 8.0),  # V <= 1 kV
        (1000.001, 3.0, 5.0), (69000.0, 3.0, 5.0),  # 1 kV < V <= 69 kV
        (69000.001, 1.5, 2.5), (161000.0, 1.5, 2.5),  # 69 kV < V <= 161 kV
        (161000.001, 1.0, 1.5), (500000.0, 1.0, 1.5),  # V > 161 kV
    ],
)  # fmt: skip
def test_table_1_rows_and_edges(bus, individual, thd):
    lim = voltage_limits(bus)
    assert (lim.individual, lim.thd) == (individual, thd)


# Table 2 (120 V .. 69 kV): ISC/IL -> (3<=h<11, 11<=h<17, 17<=h<23, 23<=h<35, 35<=h<=50, TDD)
TABLE_2 = [
    (4.0, 2.0, 1.5, 0.6, 0.3, 5.0),
    (7.0, 3.5, 2.5, 1.0, 0.5, 8.0),
    (10.0, 4.5, 4.0, 1.5, 0.7, 12.0),
    (12.0, 5.5, 5.0, 2.0, 1.0, 15.0),
    (15.0, 7.0, 6.0, 2.5, 1.4, 20.0),
]
# Table 3 (69 kV .. 161 kV): half of Table 2, TDD 2.5 / 4 / 6 / 7.5 / 10
TABLE_3 = [
    (2.0, 1.0, 0.75, 0.3, 0.15, 2.5),
    (3.5, 1.75, 1.25, 0.5, 0.25, 4.0),
    (5.0, 2.25, 2.0, 0.75, 0.35, 6.0),
    (6.0, 2.75, 2.5, 1.0, 0.5, 7.5),
    (7.5, 3.5, 3.0, 1.25, 0.7, 10.0),
]
# Table 4 (> 161 kV): < 25, 25 < 50, >= 50
TABLE_4 = [
    (1.0, 0.5, 0.38, 0.15, 0.1, 1.5),
    (2.0, 1.0, 0.75, 0.3, 0.15, 2.5),
    (3.0, 1.5, 1.15, 0.45, 0.22, 3.75),
]
# (ISC/IL, row): each edge from both sides; 1000 itself goes to the stricter 100-1000 row
RATIOS_2_3 = [
    (1.0, 0), (19.999, 0), (20.0, 1), (49.999, 1), (50.0, 2), (99.999, 2), (100.0, 3),
    (1000.0, 3), (1000.001, 4), (1e6, 4),
]  # fmt: skip
RATIOS_4 = [(1.0, 0), (24.999, 0), (25.0, 1), (49.999, 1), (50.0, 2), (1e6, 2)]


def _numbers(lim):
    return (*lim.bands, lim.tdd)


@pytest.mark.parametrize(("ratio", "row"), RATIOS_2_3)
@pytest.mark.parametrize("bus", [120.0, 480.0, 13800.0, 69000.0])
def test_table_2(bus, ratio, row):
    lim = current_limits(bus, ratio)
    assert lim.table == "Table 2" and _numbers(lim) == TABLE_2[row]


@pytest.mark.parametrize(("ratio", "row"), RATIOS_2_3)
@pytest.mark.parametrize("bus", [69000.001, 115000.0, 161000.0])
def test_table_3(bus, ratio, row):
    lim = current_limits(bus, ratio)
    assert lim.table == "Table 3" and _numbers(lim) == TABLE_3[row]


@pytest.mark.parametrize(("ratio", "row"), RATIOS_4)
@pytest.mark.parametrize("bus", [161000.001, 345000.0])
def test_table_4(bus, ratio, row):
    lim = current_limits(bus, ratio)
    assert lim.table == "Table 4" and _numbers(lim) == TABLE_4[row]


def test_row_names():
    assert current_limits(480, 10).row == "ISC/IL < 20"
    assert current_limits(480, 20).row == "20 <= ISC/IL < 50"
    assert current_limits(480, 1000).row == "100 <= ISC/IL <= 1000"
    assert current_limits(480, 2000).row == "1000 < ISC/IL"


# Orders of each band, odd and even, for ISC/IL 20..50 (7.0 / 3.5 / 2.5 / 1.0 / 0.5 %)
@pytest.mark.parametrize(
    ("h", "limit"),
    [
        (3, 7.0), (5, 7.0), (9, 7.0), (11, 3.5), (15, 3.5), (17, 2.5), (21, 2.5),
        (23, 1.0), (33, 1.0), (35, 0.5), (49, 0.5),
        # even: 25 % of the odd limit of the band (2014); 2022 would give 50 % / 100 %
        (2, 1.75), (4, 1.75), (10, 1.75), (12, 0.875), (16, 0.875), (18, 0.625), (22, 0.625),
        (24, 0.25), (34, 0.25), (36, 0.125), (50, 0.125),
    ],
)  # fmt: skip
def test_harmonic_orders_and_the_2014_even_rule(h, limit):
    assert current_limits(480.0, 30.0).harmonic(h) == limit


def test_even_harmonics_are_not_the_2022_values():
    lim = current_limits(480.0, 30.0)
    assert lim.harmonic(4) != 0.5 * 7.0 and lim.harmonic(8) != 7.0


@pytest.mark.parametrize("h", [1, 51, 2.0])
def test_orders_outside_2_to_50_are_refused(h):
    with pytest.raises(ValueError, match=r"orders 2\.\.50"):
        current_limits(480.0, 30.0).harmonic(h)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bus_voltage": 0.0, "isc_il": 20.0, "il": 100.0}, "bus_voltage"),
        ({"bus_voltage": 480.0, "isc_il": -1.0, "il": 100.0}, "isc_il"),
        ({"bus_voltage": 480.0, "isc_il": 20.0, "il": float("inf")}, "il"),
        ({"bus_voltage": "480", "isc_il": 20.0, "il": 100.0}, "bus_voltage"),
    ],
)
def test_settings_are_validated(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Ieee519Settings(**kwargs)


def test_lookups_validate_too():
    with pytest.raises(ValueError, match="bus_voltage"):
        voltage_limits(-5.0)
    with pytest.raises(ValueError, match="isc_il"):
        current_limits(480.0, float("nan"))
