"""IEC 61000-4-30 §4.7 flagging: a value whose interval a dip, swell or interruption touched.

The flag travels with the value into every aggregate built from it (``engine.pq.aggregation``),
so that compliance evaluations can leave those values out (``engine.compliance``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np

from engine.pq.events import Event

__all__ = ["flag_touched", "touched"]


def touched(
    starts: Sequence[datetime], ends: Sequence[datetime], events: Sequence[Event]
) -> np.ndarray:
    """Which intervals [start, end) overlap a dip, swell or interruption of ``events`` (RVCs
    do not flag; an event still in progress runs on). Times aware UTC."""
    flags = np.zeros(len(ends), dtype=bool)
    for e in events:
        if e.type == "rvc":
            continue
        end = e.start + timedelta(seconds=e.duration_s) if not e.in_progress else datetime.max
        end = end.replace(tzinfo=e.start.tzinfo)
        for w, (ws, we) in enumerate(zip(starts, ends, strict=True)):
            flags[w] |= ws < end and we > e.start
    return flags


def flag_touched(result, events: Sequence[Event]):
    """``result`` (an ``engine.meter.BlockResult``) with the windows ``events`` touched
    flagged as well."""
    more = touched(result.window_start, result.window_end, events)
    return replace(result, flagged=result.flagged | more) if more.any() else result
