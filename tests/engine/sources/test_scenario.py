"""Scenario files: defaults, the examples, round trips and every kind of bad value."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from engine.errors import InputError
from engine.sources.scenario import (
    DEFAULT_LOAD,
    DEFAULT_SCENARIO,
    Harmonic,
    LoadProfile,
    Scenario,
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
)
from engine.sources.simulated import phasors, synthesize

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "scenarios").glob("*.toml"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_empty_file_gives_the_documented_defaults(tmp_path):
    sc = load_scenario(write(tmp_path, ""))
    assert sc == Scenario()
    assert sc.wiring == "4W-WYE" and sc.rotation == "ABC"
    assert sc.frequency.nominal == 50.0 and sc.frequency.start_frequency == 50.0
    assert sc.voltage.rms == (230.0, 230.0, 230.0)
    assert sc.current.rms == (100.0, 100.0, 100.0)
    assert sc.current.power_factor == (0.9, 0.9, 0.9) and sc.current.pf_sense == ("lag",) * 3
    assert [h.order for h in sc.current.harmonics] == [3, 5, 7]
    assert sc.voltage.noise == 0 and sc.current.noise == 0
    assert sc.start == datetime(2026, 1, 1, tzinfo=UTC)
    assert sc.sample_rate == 256 * 50


def test_default_toml_writes_out_the_default_installation():
    sc = load_scenario(ROOT / "scenarios" / "default.toml")
    ref = DEFAULT_SCENARIO
    assert (sc.name, sc.description, sc.current) == (ref.name, ref.description, ref.current)
    assert sc.current.load.varies and not Scenario().current.load.varies
    for a, b in zip(phasors(sc), phasors(ref), strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)
    for first in (0, 12800 * 90):  # the start, and across the swings and the first steps
        for a, b in zip(synthesize(sc, 1000, first), synthesize(ref, 1000, first), strict=True):
            np.testing.assert_array_equal(a, b)


def test_the_default_installation_is_the_steady_defaults_plus_a_load():
    assert dataclasses.replace(DEFAULT_SCENARIO, description="") == dataclasses.replace(
        Scenario(), current=dataclasses.replace(Scenario().current, load=DEFAULT_LOAD)
    )


def test_load_table(tmp_path):
    sc = load_scenario(
        write(
            tmp_path,
            """
        [current]
        power_factor = [0.9, 0.8, -0.7]
        [current.load]
        swing_amplitude = 20
        swing_period = 30
        step_interval = 5
        step_size = 5
        seed = 42
        pf_swing_to = [0.95, 0.8, -0.6]
        pf_swing_period = 600
    """,
        )
    )
    assert sc.current.load == LoadProfile(20.0, 30.0, 5.0, 5.0, 42, (0.95, 0.8, -0.6), 600.0)
    assert scenario_from_dict(scenario_to_dict(sc)) == sc
    assert load_scenario(write(tmp_path, "[current.load]\n")).current.load == LoadProfile()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load_and_round_trip(path):
    sc = load_scenario(path)
    assert sc.name == path.stem
    assert scenario_from_dict(scenario_to_dict(sc)) == sc


def test_at_least_four_examples():
    assert {p.stem for p in EXAMPLES} >= {"default", "harmonics", "unbalanced", "delta-60hz"}


def test_scalars_and_per_phase_arrays(tmp_path):
    sc = load_scenario(
        write(
            tmp_path,
            """
        [voltage]
        rms = [230, 231.5, 229]
        angle = [0, -121, 119.5]
        [current]
        rms = 50
        power_factor = [0.8, -0.9, 1]
        pf_sense = ["lag", "lead", "lag"]
        harmonics = [{order = 5, magnitude = 10, angle = 45, phases = "CA"}]
    """,
        )
    )
    assert sc.voltage.rms == (230.0, 231.5, 229.0)
    assert sc.voltage.angle == (0.0, -121.0, 119.5)
    assert sc.current.rms == (50.0, 50.0, 50.0)
    assert sc.current.power_factor == (0.8, -0.9, 1.0)
    assert sc.current.pf_sense == ("lag", "lead", "lag")
    assert sc.current.harmonics == (Harmonic(5, 10.0, 45.0, "AC"),)
    assert all(isinstance(x, float) for x in sc.voltage.rms)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"2026-03-04T05:06:07Z"', datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2026-03-04T05:06:07Z", datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2026-03-04T07:06:07+02:00", datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)),
        ("2026-03-04T05:06:07", datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)),  # local → UTC
    ],
)
def test_start_forms(tmp_path, value, expected):
    sc = load_scenario(write(tmp_path, f"start = {value}\n"))
    assert sc.start == expected and sc.start.utcoffset() == timedelta(0)


def test_from_dict_accepts_python_values_and_names_the_origin():
    start = datetime(2026, 5, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    sc = scenario_from_dict({"start": start, "frequency": {"nominal": 60}})
    assert sc.start == start and sc.start.tzinfo == UTC and sc.sample_rate == 256 * 60
    with pytest.raises(InputError) as err:
        scenario_from_dict({"wiring": "DELTA"}, path="cli")
    assert str(err.value).startswith("cli: wiring:")


# Each case: TOML text, the dotted key the error must name, the line it must point at.
BAD = [
    ("samples_per_cycle = 8", "samples_per_cycle", 1),
    ("samples_per_cycle = 1025", "samples_per_cycle", 1),
    ("samples_per_cycle = 128.0", "samples_per_cycle", 1),
    ('samples_per_cycle = "256"', "samples_per_cycle", 1),
    ('wiring = "DELTA"', "wiring", 1),
    ('rotation = "CBA"', "rotation", 1),
    ("colour = 3", "colour", 1),
    ("name = 3", "name", 1),
    ('start = "yesterday"', "start", 1),
    ("start = 2026-01-01", "start", 1),
    ("frequency = 50", "frequency", 1),
    ("[frequency]\nnominal = 55", "frequency.nominal", 2),
    ("[frequency]\nnominal = true", "frequency.nominal", 2),
    ("[frequency]\nactual = 70.0", "frequency.actual", 2),
    ('[frequency]\ndrift_rate = "fast"', "frequency.drift_rate", 2),
    ("[frequency]\ndrift_duration = 0", "frequency.drift_duration", 2),
    ("[frequency]\nswing_period = -1", "frequency.swing_period", 2),
    ("[frequency]\nswing_amplitude = 30", "frequency.swing_amplitude", 2),
    ("[frequency]\nnominal = 50\nripple = 1", "frequency.ripple", 3),
    ("[voltage]\nrms = -1", "voltage.rms", 2),
    ("[voltage]\nrms = nan", "voltage.rms", 2),
    ("[voltage]\nrms = [230, 230]", "voltage.rms", 2),
    ('[voltage]\nrms = [230, "x", 230]', "voltage.rms[1]", 2),
    ("[voltage]\nangle = true", "voltage.angle", 2),
    ("[voltage]\nnoise = 101", "voltage.noise", 2),
    ("[voltage]\nharmonics = 5", "voltage.harmonics", 2),
    ("[voltage.unbalance]\nnegative = 120", "voltage.unbalance.negative", 2),
    ("[voltage.unbalance]\npositive = 1", "voltage.unbalance.positive", 2),
    ('wiring = "1P-2W"\n[voltage.unbalance]\nzero = 1', "voltage.unbalance.zero", 3),
    (
        "[[voltage.harmonics]]\norder = 5\nmagnitude = 1\n[[voltage.harmonics]]\norder = 64\n"
        "magnitude = 1",
        "voltage.harmonics[1].order",
        5,
    ),
    ("[[voltage.harmonics]]\norder = 1\nmagnitude = 1", "voltage.harmonics[0].order", 2),
    ("[[voltage.harmonics]]\norder = 5.0\nmagnitude = 1", "voltage.harmonics[0].order", 2),
    ("[[voltage.harmonics]]\norder = 5", "voltage.harmonics[0].magnitude", 1),
    ("[[voltage.harmonics]]\norder = 5\nmagnitude = -1", "voltage.harmonics[0].magnitude", 3),
    (
        '[[voltage.harmonics]]\norder = 5\nmagnitude = 1\nphases = "AD"',
        "voltage.harmonics[0].phases",
        4,
    ),
    (
        '[[voltage.harmonics]]\norder = 5\nmagnitude = 1\nphase = "A"',
        "voltage.harmonics[0].phase",
        4,
    ),
    (
        "[[voltage.harmonics]]\norder = 5\nmagnitude = 1\n[[voltage.harmonics]]\norder = 5\n"
        'magnitude = 2\nphases = "B"',
        "voltage.harmonics[1].order",
        5,
    ),
    (
        "samples_per_cycle = 16\n[[voltage.harmonics]]\norder = 8\nmagnitude = 1",
        "voltage.harmonics[0].order",
        3,
    ),
    (
        "[voltage]\ninterharmonics = [{frequency = 0, magnitude = 1}]",
        "voltage.interharmonics[0].frequency",
        2,
    ),
    (
        "[[current.interharmonics]]\nfrequency = 6400\nmagnitude = 1",
        "current.interharmonics[0].frequency",
        2,
    ),
    ("[current]\npower_factor = 1.2", "current.power_factor", 2),
    ('[current]\npf_sense = "lagging"', "current.pf_sense", 2),
    ('[current]\npf_sense = ["lag", "lag", 1]', "current.pf_sense[2]", 2),
    ("[current]\nangle = -30\npower_factor = 0.9", "current.power_factor", 3),
    ("[current]\nrms = 100\nhertz = 50", "current.hertz", 3),
    ("[current]\nload = 1", "current.load", 2),
    ("[current.load]\nswing = 5", "current.load.swing", 2),
    ("[current.load]\nswing_amplitude = 101", "current.load.swing_amplitude", 2),
    ("[current.load]\nswing_period = 0", "current.load.swing_period", 2),
    ("[current.load]\nstep_interval = -1", "current.load.step_interval", 2),
    ("[current.load]\nstep_interval = 0.01", "current.load.step_interval", 2),
    ("[current.load]\nswing_amplitude = 60\nstep_size = 50", "current.load.step_size", 3),
    ("[current.load]\nseed = -1", "current.load.seed", 2),
    ("[current.load]\nseed = 1.5", "current.load.seed", 2),
    ("[current.load]\npf_swing_to = 1.1", "current.load.pf_swing_to", 2),
    ("[current.load]\npf_swing_to = -0.9", "current.load.pf_swing_to", 2),
    ("[current.load]\npf_swing_to = [0.9, 0.9]", "current.load.pf_swing_to", 2),
    ("[current]\nangle = -30\n[current.load]\npf_swing_to = 0.9", "current.load.pf_swing_to", 4),
    ("[current.load]\npf_swing_period = -5", "current.load.pf_swing_period", 2),
    ("[neutral]\ncurrent_measured = 1", "neutral.current_measured", 2),
    ("[neutral]\nvoltage_rms = -2", "neutral.voltage_rms", 2),
]


@pytest.mark.parametrize(("text", "key", "line"), BAD, ids=[b[1] + ":" + b[0] for b in BAD])
def test_bad_values_name_file_line_and_key(tmp_path, text, key, line):
    path = write(tmp_path, text + "\n")
    with pytest.raises(InputError) as err:
        load_scenario(path)
    e = err.value
    assert e.path == path and e.line == line
    assert e.problem.startswith(key + ": ")
    assert str(e).startswith(f"{path}:{line}: {key}: ")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("samples_per_cycle = 256\nwiring = \n", 2),
        ("[voltage]\nrms = [230, 230\n", 3),
        ("[voltage]\n[voltage]\n", 2),
        ("name = 'a'\nname = 'b'\n", 2),
    ],
)
def test_malformed_toml_names_the_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.path == path and err.value.line == line
    assert "malformed TOML" in err.value.problem


def test_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        load_scenario(tmp_path / "missing.toml")
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(InputError, match="UTF-8"):
        load_scenario(path)


def test_scenarios_built_in_code_are_validated_too():
    bad = dataclasses.replace(Scenario(), samples_per_cycle=2000)
    with pytest.raises(InputError, match="samples_per_cycle"):
        synthesize(bad, 10)
    bad = dataclasses.replace(Scenario(), wiring="2W")
    with pytest.raises(InputError, match="wiring"):
        phasors(bad)


def test_the_file_functions_are_importable_from_both_modules():
    from engine.sources import scenario, scenario_file

    for name in ("load_scenario", "scenario_from_dict", "scenario_to_dict"):
        assert getattr(scenario, name) is getattr(scenario_file, name)
    with pytest.raises(AttributeError):
        scenario.no_such_name  # noqa: B018
