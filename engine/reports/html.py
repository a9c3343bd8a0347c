"""The compliance reports as one self-contained HTML page: the verdict, every row of the
evaluation, the event tables, the list of events and their ITIC plot (inline SVG, no script, no
external file), so the page can be mailed or archived as it is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from engine.compliance import En50160Result, EventTable, Ieee519Result
from engine.pq.events import Event
from engine.reports.itic_plot import itic_svg
from engine.reports.text import verdict

__all__ = ["en50160_html", "ieee519_html"]

STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
th { background: #eee; } td.l, th.l { text-align: left; }
.PASS { color: #2e7d32; font-weight: bold; } .FAIL { color: #c62828; font-weight: bold; }
.note { color: #555; }
"""


def _cell(value, left: bool = False) -> str:
    text = "" if value is None else str(value)
    css = verdict_class(text)
    cls = " ".join(c for c in ("l" if left else "", css) if c)
    return f"<td class='{cls}'>{escape(text)}</td>" if cls else f"<td>{escape(text)}</td>"


def verdict_class(text: str) -> str:
    return text if text in ("PASS", "FAIL") else ""


def _table(header: Sequence[str], rows: Iterable[Sequence], left: int = 1) -> str:
    head = "".join(f"<th class='l'>{escape(h)}</th>" if k < left else f"<th>{escape(h)}</th>"
                   for k, h in enumerate(header))  # fmt: skip
    body = "".join(
        "<tr>" + "".join(_cell(v, k < left) for k, v in enumerate(r)) + "</tr>" for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _num(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _page(title: str, body: list[str]) -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _verdict(passed: bool | None) -> str:
    v = verdict(passed)
    return f"<p>Verdict: <span class='{verdict_class(v)}'>{escape(v)}</span></p>"


def _event_table(table: EventTable, what: str) -> str:
    source = "polyphase events" if table.source == "POLY" else "per-phase events"
    rows = [[r, *c, over] for r, c, over in
            zip(table.rows, table.counts, table.longer_than_60s, strict=True)]  # fmt: skip
    extra = f"<p class='note'>outside the table: {table.outside}</p>" if table.outside else ""
    return (f"<h3>{escape(what)} ({source})</h3>"
            + _table(["u \\ t", *table.columns, "> 60 s"], rows) + extra)  # fmt: skip


def _events(events: Sequence[Event]) -> list[str]:
    shown = [e for e in events if e.type != "rvc"]
    rows = [
        [e.start.isoformat(timespec="milliseconds"), e.type, e.phase, _num(e.duration_s),
         _num(e.extreme_pct, 1), e.itic, e.semi_f47, e.direction, _num(e.confidence, 2)]
        for e in shown
    ]  # fmt: skip
    header = ["start (UTC)", "type", "phase", "duration s", "extreme %", "ITIC", "SEMI F47",
              "direction", "confidence"]  # fmt: skip
    return [
        f"<h2>Events ({len(shown)}) on the ITIC curve</h2>",
        "<p class='note'>dots: dips, squares: interruptions, triangles: swells; green: no "
        "interruption, orange: no-damage region, red: prohibited region</p>",
        itic_svg(shown),
        _table(header, rows, left=3),
    ]


def _notes(notes: Iterable[str]) -> str:
    return "<h2>Notes</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"


def en50160_html(result: En50160Result, title: str, events: Sequence[Event]) -> str:
    """The EN 50160 report of ``result`` (and ``events`` on the ITIC curve) as HTML."""
    s = result.settings
    body = [
        f"<h1>{escape(result.edition)} report</h1><p>{escape(title)}</p>",
        f"<p>Declared voltage {s.declared_voltage:g} V ({escape(str(s.network))}), "
        f"{s.nominal_frequency:g} Hz {escape(s.system)} system; frequency from "
        f"{escape(result.frequency_source)} values</p>",
        _verdict(result.passed),
    ]
    header = ["parameter", "phase", "order", "source", "low", "high", "unit", "required %",
              "within %", "worst", "valid", "flagged", "result"]  # fmt: skip
    for k, week in enumerate(result.weeks, start=1):
        p = week.period
        body.append(
            f"<h2>Week {k}: {p.start:%Y-%m-%d %H:%M} to {p.end:%Y-%m-%d %H:%M} UTC</h2>"
            f"<p>{week.n_records} of {week.n_expected} 10-min intervals"
            f"{' (partial)' if week.partial else ''}, {week.n_flagged} flagged</p>"
        )
        body.append(_verdict(week.passed))
        rows = [
            [r.parameter, r.phase, r.order, r.source, r.low, r.high, r.unit, r.required_pct,
             _num(r.pct_within, 2), _num(r.worst), r.n_valid, r.n_excluded, verdict(r.passed)]
            for r in week.rows
        ]  # fmt: skip
        body.append(_table(header, rows, left=4))
    body.append(_event_table(result.dips, "Dips"))
    body.append(_event_table(result.swells, "Swells"))
    i = result.interruptions
    body.append(f"<p>Interruptions: short (&le; 3 min) {i.short}, long (&gt; 3 min) {i.long}</p>")
    body += _events(events)
    body.append(_notes(result.notes))
    return _page(f"{result.edition}: {title}", body)


def ieee519_html(result: Ieee519Result, title: str, events: Sequence[Event]) -> str:
    """The IEEE 519 report of ``result`` (and ``events`` on the ITIC curve) as HTML."""
    s, vl, cl = result.settings, result.voltage_limits, result.current_limits
    body = [
        f"<h1>{escape(result.edition)} report</h1><p>{escape(title)}</p>",
        f"<p>PCC: bus voltage {s.bus_voltage:g} V, ISC/IL {s.isc_il:g}, IL {s.il:g} A. "
        f"{escape(vl.table)}: individual {vl.individual:g} %, THD {vl.thd:g} %. "
        f"{escape(cl.table)} ({escape(cl.row)}): odd bands {', '.join(f'{b:g}' for b in cl.bands)}"
        f" % of IL, TDD {cl.tdd:g} %.</p>",
        _verdict(result.passed),
    ]
    header = ["quantity", "phase", "order", "check", "source", "value %", "limit %",
              "worst period", "result"]  # fmt: skip
    rows = [
        [r.quantity, r.phase, r.order, r.check, r.source, _num(r.value), f"{r.limit:g}",
         r.worst_period, verdict(r.passed)]
        for r in result.rows
    ]  # fmt: skip
    body.append(_table(header, rows, left=5))
    body += _events(events)
    body.append(_notes(result.notes))
    return _page(f"{result.edition}: {title}", body)
