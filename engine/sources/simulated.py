"""Simulated source: deterministic three-phase voltages and currents built from a ``Scenario``,
block after block. The signal model and its synthesis (``synthesize``, ``phasors``) are in
``engine.sources.synthesis``; both functions are importable from here.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from engine.blocks import SampleBlock
from engine.errors import InputError
from engine.sources.scenario import DEFAULT_SCENARIO, Scenario, scenario_to_dict
from engine.sources.synthesis import SQRT2, phasors, synth_for, synthesize  # noqa: F401

__all__ = ["SimulatedSource", "phasors", "synthesize"]


def _polar(values: np.ndarray) -> list[dict[str, float]]:
    """JSON-ready rms [V]/[A] and angle [deg] in (−180, 180]."""
    out = []
    for z in values:
        deg = math.degrees(math.atan2(z.imag, z.real))
        out.append({"rms": float(abs(z)), "angle": 180.0 if deg == -180.0 else deg})
    return out


class SimulatedSource:
    """A ``Source`` yielding the scenario's samples forever, block after block.

    ``scenario`` None is ``DEFAULT_SCENARIO``, the default installation with its varying load.
    ``seed`` seeds the noise generator once per ``blocks()`` call (the load steps have their
    own seed in the scenario, so ``synthesize`` needs none); ``block_seconds`` [s] is
    rounded to whole samples; ``start`` (UTC; a naive datetime is taken as UTC) overrides the
    scenario's start time. Each call of ``blocks()`` starts again from sample 0.
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        seed: int = 0,
        block_seconds: float = 0.1,
        start: datetime | None = None,
    ):
        self.scenario = DEFAULT_SCENARIO if scenario is None else scenario
        self._synth = synth_for(self.scenario)
        self.seed = seed
        self.sample_rate = self._synth.fs
        self.nominal_frequency = self.scenario.frequency.nominal
        self.samples_per_cycle = self.scenario.samples_per_cycle
        if not block_seconds > 0:
            raise InputError(f"block_seconds must be > 0 s, got {block_seconds!r}")
        self.block_samples = max(1, round(block_seconds * self.sample_rate))
        start = self.scenario.start if start is None else start
        self.start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        self._closed = False

    def blocks(self) -> Iterator[SampleBlock]:
        """Contiguous blocks of ``block_samples`` samples, until ``close()``: primary units,
        or secondary ones (``block.scale`` "secondary") when the scenario says so."""
        rng = np.random.default_rng(self.seed)
        neutral = self.scenario.neutral
        first, n = 0, self.block_samples
        while not self._closed:
            out = self._synth.render(n, first, rng)
            yield SampleBlock(
                start=self.start + timedelta(seconds=first / self.sample_rate),
                sample_rate=self.sample_rate,
                first_index=first,
                voltage=out[:4],
                current=out[4:],
                scale="secondary" if self.scenario.scale == "secondary" else "primary",
                v4_measured=neutral.voltage_measured,
                i4_measured=neutral.current_measured,
            )
            first += n

    def describe(self) -> dict[str, Any]:
        """JSON-ready description: kind, seed, rates and the resolved scenario."""
        settings = scenario_to_dict(self.scenario)
        settings["start"] = self.start.isoformat().replace("+00:00", "Z")
        volts, amps = phasors(self.scenario)
        settings["resolved"] = {
            "frequency_actual": self._synth.f0,
            "block_samples": self.block_samples,
            "voltage": _polar(volts),
            "current": _polar(amps),
        }
        return {
            "kind": "simulated",
            "seed": self.seed,
            "sample_rate": self.sample_rate,
            "nominal_frequency": self.nominal_frequency,
            "samples_per_cycle": self.samples_per_cycle,
            "scenario": settings,
        }

    def close(self) -> None:
        """Stop every running ``blocks()`` iterator after its current block."""
        self._closed = True

    def __enter__(self) -> SimulatedSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
