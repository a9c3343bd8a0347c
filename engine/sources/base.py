"""The protocol every sample source follows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

from engine.blocks import SampleBlock


@runtime_checkable
class Source(Protocol):
    """Anything that yields ``SampleBlock``s in time order.

    A finite source (a recording) ends its iterator at the end of the data; a live or simulated
    source yields forever. ``describe()`` returns a JSON-ready dict (kind, file, sample rate,
    channel mapping ...) for reports such as ``analyze``'s ``"source"`` object.
    """

    sample_rate: float  # [Hz]
    nominal_frequency: float  # [Hz] the system the source represents (50 or 60)

    def blocks(self) -> Iterator[SampleBlock]: ...

    def describe(self) -> dict: ...

    def close(self) -> None: ...
