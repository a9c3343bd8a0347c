"""Compliance evaluations of the power-quality records: EN 50160:2010 (weekly, with the dip,
swell and interruption tables) and IEEE 519-2014 (harmonic voltage and current limits).

Pure functions on the engine's records (``engine.pq.aggregation``) and events
(``engine.pq.events``); every result is a frozen dataclass with a JSON-ready ``to_dict()``.
No Qt, no report formatting (see docs/compliance.md). The limit tables and their look-ups are
in ``en50160_limits`` / ``ieee519_limits`` (both have a ``voltage_limits``, so they are not
re-exported here).
"""

from __future__ import annotations

from engine.compliance.common import Period, nearest_rank
from engine.compliance.en50160 import En50160Result, En50160Row, En50160Week, evaluate_en50160
from engine.compliance.en50160_events import EventTable, Interruptions
from engine.compliance.en50160_limits import En50160Settings
from engine.compliance.ieee519 import Coverage, Ieee519Result, Ieee519Row, evaluate_ieee519
from engine.compliance.ieee519_limits import CurrentLimits, Ieee519Settings, VoltageLimits

__all__ = [
    "Coverage",
    "CurrentLimits",
    "En50160Result",
    "En50160Row",
    "En50160Settings",
    "En50160Week",
    "EventTable",
    "Ieee519Result",
    "Ieee519Row",
    "Ieee519Settings",
    "Interruptions",
    "Period",
    "VoltageLimits",
    "evaluate_en50160",
    "evaluate_ieee519",
    "nearest_rank",
]
