"""Compliance evaluations of the power-quality records: EN 50160:2010 (weekly, with the dip,
swell and interruption tables) and IEEE 519-2014 (harmonic voltage and current limits).

Pure functions on the engine's records (``engine.pq.aggregation``) and events
(``engine.pq.events``); every result is a frozen dataclass with a JSON-ready ``to_dict()``.
No Qt, no report formatting (see docs/compliance.md).
"""

from __future__ import annotations

from engine.compliance.common import nearest_rank
from engine.compliance.en50160 import En50160Result, En50160Row, En50160Week, evaluate_en50160
from engine.compliance.en50160_events import (
    EventTable,
    Interruptions,
    count_interruptions,
    dip_cell,
    dip_table,
    swell_cell,
    swell_table,
)
from engine.compliance.en50160_limits import (
    HARMONIC_LIMITS as EN50160_HARMONIC_LIMITS,
    En50160Settings,
    frequency_limits,
    voltage_limits,
)

__all__ = [
    "EN50160_HARMONIC_LIMITS",
    "En50160Result",
    "En50160Row",
    "En50160Settings",
    "En50160Week",
    "EventTable",
    "Interruptions",
    "count_interruptions",
    "dip_cell",
    "dip_table",
    "evaluate_en50160",
    "frequency_limits",
    "nearest_rank",
    "swell_cell",
    "swell_table",
    "voltage_limits",
]
