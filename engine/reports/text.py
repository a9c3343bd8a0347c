"""Readable text reports of the compliance evaluations (``ion7400-hmi report``, stdout).

Every number printed comes from the result objects of ``engine.compliance``; the full detail
(every harmonic, every day) is in ``--json`` and ``--html``. The text keeps what a reader
scans for: the verdict, each parameter's share within its limit, and for IEEE 519 the worst
harmonic of each channel and every failing row.
"""

from __future__ import annotations

from collections.abc import Iterable

from engine.compliance import En50160Result, EventTable, Ieee519Result, Ieee519Row
from engine.compliance.ieee519_limits import BAND_STARTS, MAX_ORDER

__all__ = ["en50160_text", "event_table_text", "ieee519_text", "verdict"]


def verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "not evaluated"}[passed]


def _num(x: float | None, digits: int = 2) -> str:
    return "----" if x is None else f"{x:.{digits}f}"


def _table(header: list[str], rows: Iterable[list[str]], indent: str = "  ") -> list[str]:
    rows = list(rows)
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    fmt = indent + "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip(), *(fmt.format(*r).rstrip() for r in rows)]


def event_table_text(table: EventTable, what: str) -> list[str]:
    """A dip or swell classification table (EN 50160) as lines."""
    source = "polyphase events" if table.source == "POLY" else "per-phase events"
    lines = [f"{what} ({source}): rows residual or maximum u [% of Udin], columns duration t"]
    header = ["u \\ t", *table.columns, ">60s"]
    body = [
        [row, *(str(c) for c in counts), str(over)]
        for row, counts, over in zip(table.rows, table.counts, table.longer_than_60s, strict=True)
    ]
    lines += _table(header, body)
    if table.outside:
        lines.append(f"  outside the table (under 10 ms or no row): {table.outside}")
    return lines


def _limit_text(low: float | None, high: float, unit: str) -> str:
    if low is None:
        return f"<= {high:g} {unit}".rstrip()
    return f"{low:g} .. {high:g} {unit}".rstrip()


def _harmonics_condensed(rows) -> tuple[list, int]:
    """Every row but the individual harmonics, of which only the failing ones and, per
    channel, the one whose worst value is nearest its limit; and how many were left out."""
    harmonics = [r for r in rows if r.parameter == "harmonic"]
    nearest: dict[str | None, object] = {}
    for r in harmonics:
        if r.worst is None:
            continue
        best = nearest.get(r.phase)
        if best is None or r.worst / r.high > best.worst / best.high:
            nearest[r.phase] = r
    keep = {id(r) for r in harmonics if r.passed is False} | {id(r) for r in nearest.values()}
    shown = [r for r in rows if r.parameter != "harmonic" or id(r) in keep]
    return shown, len(rows) - len(shown)


def en50160_text(result: En50160Result, title: str) -> str:
    """The EN 50160 weekly evaluation of ``result`` as a text report headed ``title``."""
    s = result.settings
    lines = [
        f"{result.edition} report: {title}",
        f"Declared voltage {s.declared_voltage:g} V ({s.network}), {s.nominal_frequency:g} Hz "
        f"{s.system} system; frequency from {result.frequency_source} values",
        f"Verdict: {verdict(result.passed)}",
        "",
    ]
    for k, week in enumerate(result.weeks, start=1):
        p = week.period
        lines.append(
            f"Week {k}: {p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M} UTC, "
            f"{week.n_records} of {week.n_expected} 10-min intervals"
            f"{' (partial)' if week.partial else ''}, {week.n_flagged} flagged: "
            f"{verdict(week.passed)}"
        )
        header = ["parameter", "phase", "limit", "required", "within", "worst", "valid", "result"]
        body = []
        shown, hidden = _harmonics_condensed(week.rows)
        for r in shown:
            name = r.parameter.replace("_", " ") + (f" {r.order}" if r.order else "")
            body.append([
                name, r.phase or "", _limit_text(r.low, r.high, r.unit), f"{r.required_pct:g} %",
                "----" if r.pct_within is None else f"{r.pct_within:.1f} %",
                _num(r.worst, 3), str(r.n_valid), verdict(r.passed),
            ])  # fmt: skip
        lines += _table(header, body)
        if hidden:
            lines.append(
                f"  ({hidden} more harmonic rows within their limits or without values: "
                "--json or --html lists them)"
            )
        lines.append("")
    lines += event_table_text(result.dips, "Dips")
    lines += event_table_text(result.swells, "Swells")
    i = result.interruptions
    lines.append(f"Interruptions: short (<= 3 min) {i.short}, long (> 3 min) {i.long}")
    lines += ["", "Notes:", *(f"  - {n}" for n in result.notes)]
    return "\n".join(lines)


def _label(r: Ieee519Row) -> str:
    names = {"voltage_thd": "V THD", "voltage_harmonic": "V h", "tdd": "I TDD",
             "current_harmonic": "I h"}  # fmt: skip
    return names[r.quantity] + (str(r.order) if r.order else "")


def _row_text(r: Ieee519Row) -> list[str]:
    return [_label(r), r.phase, r.check, _num(r.value), f"{r.limit:g}", verdict(r.passed)]


def ieee519_text(result: Ieee519Result, title: str) -> str:
    """The IEEE 519 evaluation of ``result`` as a text report headed ``title``: THD and TDD
    rows in full, for individual harmonics the closest to its limit per channel and check,
    then every failing row."""
    s, vl, cl = result.settings, result.voltage_limits, result.current_limits
    ends = (*BAND_STARTS[1:], MAX_ORDER + 1)
    bands = ", ".join(
        f"h {a}-{b - 1} {x:g}" for a, b, x in zip(BAND_STARTS, ends, cl.bands, strict=True)
    )
    lines = [
        f"{result.edition} report: {title}",
        f"PCC: bus voltage {s.bus_voltage:g} V, ISC/IL {s.isc_il:g}, IL {s.il:g} A",
        f"Voltage limits ({vl.table}): individual {vl.individual:g} %, THD {vl.thd:g} %",
        f"Current limits ({cl.table}, {cl.row}), % of IL: {bands}, TDD {cl.tdd:g} "
        "(even harmonics: 25 % of their band)",
        f"Days of 3-s values: {len(result.days)}, weeks of 10-min values: {len(result.weeks)}",
        f"Verdict: {verdict(result.passed)}",
        "",
    ]
    header = ["quantity", "phase", "check", "value %", "limit %", "result"]
    totals = [r for r in result.rows if r.order is None]
    lines.append("THD and TDD (percentile over each period, the worst period shown):")
    lines += _table(header, (_row_text(r) for r in totals))
    closest: dict[tuple, Ieee519Row] = {}
    for r in result.rows:
        if r.order is None or r.value is None:
            continue
        key = (r.quantity, r.phase, r.check)
        if key not in closest or r.value / r.limit > closest[key].value / closest[key].limit:
            closest[key] = r
    lines += ["", "Individual harmonics, the closest to its limit per channel and check:"]
    lines += _table(header, (_row_text(r) for r in closest.values()))
    failed = [r for r in result.rows if r.passed is False]
    lines += ["", f"Failing rows: {len(failed)}"]
    if failed:
        lines += _table(header, (_row_text(r) for r in failed))
    lines += ["", "Notes:", *(f"  - {n}" for n in result.notes)]
    return "\n".join(lines)
