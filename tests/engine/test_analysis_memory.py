"""A long recording analysed without keeping its windows: memory does not grow with length."""

from __future__ import annotations

import itertools
import tracemalloc

from engine.analysis import analyse_source
from engine.config import MeterConfig
from engine.sources.scenario import scenario_from_dict
from engine.sources.simulated import SimulatedSource


class _First:
    """The first ``seconds`` of a simulated source, as a finite recording."""

    def __init__(self, seconds: float) -> None:
        scenario = scenario_from_dict({"samples_per_cycle": 32})
        self.source = SimulatedSource(scenario, block_seconds=1.0)
        self.sample_rate = self.source.sample_rate
        self.nominal_frequency = self.source.nominal_frequency
        self.seconds = seconds

    def blocks(self):
        return itertools.islice(self.source.blocks(), round(self.seconds))

    def describe(self):
        return {"kind": "test"}

    def close(self):
        pass


def peak_bytes(seconds: float) -> int:
    tracemalloc.start()
    try:
        result = analyse_source(_First(seconds), MeterConfig(), keep_windows=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.n_windows >= 5 * (seconds - 1)  # it did measure all of it
    assert result.rows.shape[0] == 0  # and kept no window
    return peak


def test_peak_memory_does_not_grow_with_the_recording():
    short, long = peak_bytes(30.0), peak_bytes(150.0)
    assert long < 1.2 * short, (short, long)
