"""The ITIC (CBEMA) curve with a recording's events on it, as a self-contained SVG.

Duration on a log axis from 0.1 ms to 100 s, magnitude in % of the declared voltage on a linear
axis up to 300 % (events above are drawn at the top edge, their value in the tooltip). The
envelope comes from ``engine.pq.curves.itic_limits`` so the picture and the classification in
the event records can never disagree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

import numpy as np

from engine.pq.curves import itic_limits
from engine.pq.events import Event

__all__ = ["itic_svg"]

T_MIN, T_MAX = 1e-4, 100.0  # [s] duration axis
Y_MAX = 300.0  # [%] magnitude axis
WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 50
COLOURS = {"no-interruption": "#2e7d32", "no-damage": "#ef6c00", "prohibited": "#c62828"}


def _x(duration_s: float) -> float:
    d = min(max(duration_s, T_MIN), T_MAX)
    span = math.log10(T_MAX) - math.log10(T_MIN)
    return LEFT + (math.log10(d) - math.log10(T_MIN)) / span * (WIDTH - LEFT - RIGHT)


def _y(pct: float) -> float:
    return TOP + (1 - min(max(pct, 0.0), Y_MAX) / Y_MAX) * (HEIGHT - TOP - BOTTOM)


def _polyline(points: Sequence[tuple[float, float]], colour: str) -> str:
    path = " ".join(f"{_x(t):.1f},{_y(v):.1f}" for t, v in points)
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>'


def _marker(event: Event) -> str:
    """A dot (dip), square (interruption) or triangle (swell), coloured by ITIC region, with
    the event in its tooltip."""
    x, y = _x(event.duration_s), _y(event.extreme_pct)
    colour = COLOURS.get(event.itic or "", "#555")
    tip = escape(
        f"{event.type} {event.phase} at {event.start.isoformat()}: {event.extreme_pct:.1f} % "
        f"for {event.duration_s:.3f} s, ITIC {event.itic}, SEMI F47 {event.semi_f47}"
    )
    if event.type == "interruption":
        tag, shape = "rect", f'x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"'
    elif event.type == "swell":
        tag = "polygon"
        shape = f'points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"'
    else:
        tag, shape = "circle", f'cx="{x:.1f}" cy="{y:.1f}" r="4.5"'
    return f'<{tag} {shape} fill="{colour}"><title>{tip}</title></{tag}>'


def itic_svg(events: Sequence[Event]) -> str:
    """The ITIC curve and the dips, swells and interruptions of ``events`` (RVCs left out)."""
    durations = np.logspace(math.log10(T_MIN), math.log10(T_MAX), 600)
    limits = [itic_limits(float(d)) for d in durations]
    lower = [(float(d), lo) for d, (lo, _) in zip(durations, limits, strict=True)]
    upper = [(float(d), hi) for d, (_, hi) in zip(durations, limits, strict=True)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
        f'<rect x="{LEFT}" y="{TOP}" width="{WIDTH - LEFT - RIGHT}"'
        f' height="{HEIGHT - TOP - BOTTOM}" fill="#fafafa" stroke="#999"/>',
    ]
    for exp in range(-4, 3):  # decades
        x = _x(10.0**exp)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{HEIGHT - BOTTOM}" '
                     f'stroke="#ddd"/>')  # fmt: skip
        label = {-4: "0.1 ms", -3: "1 ms", -2: "10 ms", -1: "0.1 s", 0: "1 s", 1: "10 s",
                 2: "100 s"}[exp]  # fmt: skip
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
                     f"{label}</text>")  # fmt: skip
    for pct in range(0, int(Y_MAX) + 1, 50):
        y = _y(pct)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#ddd"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{pct} %</text>')
    parts.append(_polyline(upper, "#1565c0"))
    parts.append(_polyline(lower, "#1565c0"))
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
        "duration</text>"
    )
    parts.append(
        f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2})">'
        "% of declared voltage</text>"
    )
    parts += [_marker(e) for e in events if e.type != "rvc" and not e.in_progress]
    parts.append("</svg>")
    return "\n".join(parts)
