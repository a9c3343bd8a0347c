"""What the speed benchmarks share: the test signal, pqopen-lib's PowerSystem, the table.

Import it before anything from the project: ``benchmarks/engine.py`` (a name the issues fix)
sits in this folder and would shadow the ``engine`` package, so this module takes the folder
off ``sys.path`` first.
"""

from __future__ import annotations

import sys
from pathlib import Path

_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]

import numpy as np  # noqa: E402

from engine.sources.scenario import scenario_from_dict  # noqa: E402
from engine.sources.simulated import SimulatedSource  # noqa: E402

TABLE_HEADER = f"{'samples/cycle':>14} {'ion7400-hmi':>12} {'pqopen-lib':>11} {'ratio':>7}"


def signal_blocks(spc: int, seconds: float, interharmonics: list[dict] | None = None) -> list:
    """1-s blocks of a 3-phase 4-wire 230 V, 49.95 Hz signal with 3 % H5 and 2 % H7.

    ``interharmonics`` are added to the voltages (``{"frequency": [Hz], "magnitude": [%]}``);
    generation happens here so that it is never timed.
    """
    voltage: dict = {
        "rms": 230.0,
        "harmonics": [{"order": 5, "magnitude": 3.0}, {"order": 7, "magnitude": 2.0}],
    }
    if interharmonics:
        voltage["interharmonics"] = interharmonics
    scenario = scenario_from_dict(
        {
            "samples_per_cycle": spc,
            "frequency": {"nominal": 50, "actual": 49.95},
            "voltage": voltage,
            "neutral": {"current_measured": True, "voltage_measured": True},
        }
    )
    blocks = []
    for block in SimulatedSource(scenario, block_seconds=1.0).blocks():
        blocks.append(block)
        if len(blocks) * block.duration >= seconds:
            return blocks
    raise AssertionError("unreachable: the simulated source never ends")


def pqopen_system(sample_rate: float):
    """pqopen-lib's PowerSystem on 3 phases with 50 harmonics, with its voltage and current
    buffers, or None when pqopen-lib is not installed (``pip install -e '.[bench]'``)."""
    try:
        from daqopen.channelbuffer import AcqBuffer
        from pqopen.powersystem import PowerSystem
    except ImportError:
        return None
    size = int(4 * sample_rate)
    u = [AcqBuffer(size, dtype=np.float64) for _ in range(3)]
    i = [AcqBuffer(size, dtype=np.float64) for _ in range(3)]
    system = PowerSystem(zcd_channel=u[0], input_samplerate=sample_rate, nominal_frequency=50.0)
    for k in range(3):
        system.add_phase(u_channel=u[k], i_channel=i[k])
    system.enable_harmonic_calculation(50)
    return system, u, i


def new_buffer(sample_rate: float):
    """An extra pqopen-lib input buffer of the same size as those of `pqopen_system`."""
    from daqopen.channelbuffer import AcqBuffer

    return AcqBuffer(int(4 * sample_rate), dtype=np.float64)


def table_row(spc: int, ours: float, theirs: float | None) -> str:
    """One line of the table under `TABLE_HEADER`: real-time factors [-] and their ratio."""
    if theirs is None:
        return f"{spc:>14} {ours:>11.0f}x {'(absent)':>11} {'':>7}"
    return f"{spc:>14} {ours:>11.0f}x {theirs:>10.0f}x {ours / theirs:>6.2f}x"
