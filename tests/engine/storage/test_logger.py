"""MeterLogger beside a real Meter on a constant source (230 V, 10 A, unity PF: P = 6900 W):
events with ms times newest first, recorder values against the analytic ones, a restart
after a crash (gap = downtime, energy lost ≤ 1 s), the size cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from logging_child import POWER, VOLTS, constant_source, heavy_recorders

from engine.meter import Meter
from engine.storage.database import MIN_CAP_BYTES, Database, from_ms, to_ms
from engine.storage.event_log import count_events, query_events
from engine.storage.logger import MeterLogger
from engine.storage.recorder_store import find_recorder, iter_samples, list_recorders
from engine.storage.recorders import DEFAULT_RECORDERS, RecorderDef

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ONE_S = RecorderDef("one_s", ("V_A", "V_A:min", "P_TOT", "E_P_DEL", "I_A:max"), 1.0)


def run(tmp_path, seconds, start=T0, recorders=(ONE_S,), meter=None, close=True, **kw):
    meter = meter or Meter()
    logger = MeterLogger.open(tmp_path, recorders=list(recorders), source="sim", **kw)
    logger.attach(meter)
    meter.run(constant_source(start), paced=False, seconds=seconds)
    if close:
        logger.close()
    return meter, logger


def test_default_recorders_are_created_and_kept(tmp_path):
    meter = Meter()
    logger = MeterLogger.open(tmp_path)
    logger.attach(meter)
    meter.run(constant_source(T0), paced=False, seconds=61)
    logger.close()
    db = Database.in_dir(tmp_path)
    assert [r.definition for r in list_recorders(db.conn)] == list(DEFAULT_RECORDERS)
    rows = list(iter_samples(db.conn, find_recorder(db.conn, "minmax")))
    assert [t for t, _, _ in rows] == [T0 + timedelta(minutes=1)]
    # V_A min and max (the engine's first windows after start are within a few ppm)
    assert rows[0][2][:2] == pytest.approx([VOLTS, VOLTS], rel=1e-5)


def test_engine_events_are_logged_with_ms_times_newest_first(tmp_path):
    meter = Meter()
    logger = MeterLogger.open(tmp_path, recorders=[ONE_S])
    logger.attach(meter)
    start = T0 + timedelta(milliseconds=1234.5)
    source = constant_source(start)
    meter.reset("minmax")  # applied at the first block (its start: 00:00:01.2345)
    blocks = source.blocks()
    for _ in range(10):
        meter.process(next(blocks))
    meter.reset("energy")  # applied at the 11th block, 1 s later
    for _ in range(10):
        meter.process(next(blocks))
    logger.close()
    db = Database.in_dir(tmp_path)
    events = query_events(db.conn, limit=100)
    times = [e.time for e in events]
    assert times == sorted(times, reverse=True)
    resets = [(e.what, e.time) for e in events if e.kind == "reset"]
    ms = timedelta(microseconds=500)  # stored to the ms, floored: 00:00:01.2345 -> .234
    assert resets == [("energy", start + timedelta(seconds=1) - ms), ("minmax", start - ms)]
    assert all(t.microsecond % 1000 == 0 for t in times)
    assert [e.what for e in events if e.kind == "power"] == ["power_down", "power_up"]
    # Paging: the second page starts where the first ended.
    n = count_events(db.conn)
    page1, page2 = query_events(db.conn, limit=3), query_events(db.conn, limit=3, offset=3)
    assert [e.id for e in page1 + page2] == [e.id for e in events[:6]] and n == len(events)
    assert {e.kind for e in query_events(db.conn, kinds=["reset"])} == {"reset"}


def test_recorder_values_match_the_constant_signal(tmp_path):
    run(tmp_path, 10.0)
    db = Database.in_dir(tmp_path)
    rows = list(iter_samples(db.conn, find_recorder(db.conn, "one_s")))
    ends = [t for t, _, _ in rows]
    assert ends == [T0 + timedelta(seconds=k) for k in range(1, 10)]  # 00:00:10 still open
    # The meter is up from T0 (the power-up alarm event is stamped at the first block's
    # start), so even the first second is a whole interval.
    assert [p for _, p, _ in rows] == [False] * 9
    for end, _, (va, va_min, p, e, ia_max) in rows:
        assert va == pytest.approx(VOLTS, rel=1e-5) and va_min == pytest.approx(VOLTS, rel=1e-5)
        assert p == pytest.approx(POWER, rel=1e-9) and ia_max == pytest.approx(10.0, rel=1e-9)
        # Energy is counted at each 10-cycle window's end: within one window (0.2 s) of P·t.
        elapsed = (end - T0).total_seconds()
        assert POWER * (elapsed - 0.25) / 3600 <= e <= POWER * elapsed / 3600


def test_restart_after_a_crash_gap_is_the_downtime_and_energy_loss_at_most_1s(tmp_path):
    # Run 1: 30.05 s, then "killed": the connection dies without the final commit.
    m1, lg1 = run(tmp_path, 30.05, close=False)
    lost_energy = m1.energy.register("P_DEL")
    lg1.db.close()
    down = T0 + timedelta(seconds=30.05)
    # Run 2 starts 20 s of wall-clock later (the live source starts at "now").
    restart = down + timedelta(seconds=20)
    m2 = Meter()
    lg2 = MeterLogger.open(tmp_path, recorders=[ONE_S], source="sim")
    lg2.attach(m2)
    restored = m2.energy.register("P_DEL")
    assert lost_energy - POWER * 1.0 / 3600 <= restored <= lost_energy  # ≤ 1 s lost
    m2.run(constant_source(restart), paced=False, seconds=10)
    lg2.close()
    db = Database.in_dir(tmp_path)
    power = [(e.what, e.new, e.time) for e in query_events(db.conn, kinds=["power"], limit=10)]
    assert [p[:2] for p in power] == [
        ("power_down", "clean"), ("power_up", None), ("power_down", "unexpected"),
        ("power_up", None),
    ]  # fmt: skip
    went_down, came_up = power[2][2], power[1][2]
    assert down - timedelta(seconds=1) <= went_down <= down  # the last commit, ≤ 1 s before
    assert restart <= came_up <= restart + timedelta(seconds=0.1)  # the end of the first block
    ends = [to_ms(t) for t, _, _ in iter_samples(db.conn, find_recorder(db.conn, "one_s"))]
    steps = np.diff(ends)
    assert set(steps) <= {1000, steps.max()} and (steps > 1000).sum() == 1  # one gap
    k = int(np.argmax(steps))
    before, after = from_ms(ends[k]), from_ms(ends[k + 1])
    assert before < went_down and came_up < after
    downtime = (came_up - went_down).total_seconds()
    # Rows stop at the last whole interval before the power-down and start with the interval
    # holding the power-up: the gap is the downtime rounded out to whole seconds.
    assert (after - before).total_seconds() <= np.ceil(downtime) + 2
    # Energy carries on from the restored value.
    assert m2.energy.register("P_DEL") == pytest.approx(restored + POWER * 9.8 / 3600, abs=0.5)


def test_size_cap_prunes_the_oldest_and_says_so(tmp_path):
    cap = 4 * MIN_CAP_BYTES  # 256 KiB: 64 x 16 values every 0.2 s fill it in a few seconds
    run(tmp_path, 12.0, recorders=heavy_recorders(64, 0.2), cap_bytes=cap)
    db = Database.in_dir(tmp_path)
    assert db.used_bytes() <= cap
    assert db.integrity() == "ok"
    notes = [e for e in query_events(db.conn, kinds=["storage"], limit=1000) if e.what == "pruned"]
    assert notes, "no pruning event"
    oldest = db.conn.execute("SELECT MIN(t_ms), MAX(t_ms) FROM samples").fetchone()
    # The newest rows are kept: up to the last closed interval (12.0 s is still open).
    assert oldest[1] == to_ms(T0 + timedelta(seconds=11.8))
    assert oldest[0] > to_ms(T0 + timedelta(seconds=1))  # the oldest went first


def test_logs_reset_clears_the_recorder_rows_not_the_events(tmp_path):
    meter = Meter()
    logger = MeterLogger.open(tmp_path, recorders=[ONE_S])
    logger.attach(meter)
    blocks = constant_source(T0).blocks()
    for _ in range(50):  # 5 s
        meter.process(next(blocks))
    meter.reset("logs")  # applied at 5.0 s
    for _ in range(30):
        meter.process(next(blocks))
    logger.close()
    db = Database.in_dir(tmp_path)
    ends = [t for t, _, _ in iter_samples(db.conn, find_recorder(db.conn, "one_s"))]
    assert ends == [T0 + timedelta(seconds=k) for k in (6, 7)]
    assert [e.what for e in query_events(db.conn, kinds=["reset"])] == ["logs"]


def test_half_cycle_recorder_logs_every_urms_half_value(tmp_path):
    """Interval 0: a row per half cycle (50 Hz: every 10 ms), each the Urms(1/2) value."""
    half = RecorderDef("half", ("V_HALF_A", "I_HALF_B"), 0.0)
    run(tmp_path, 2.0, recorders=(half,))
    db = Database.in_dir(tmp_path)
    rows = list(iter_samples(db.conn, find_recorder(db.conn, "half")))
    times = np.array([to_ms(t) for t, _, _ in rows])
    assert 190 <= len(rows) <= 200  # 2 s, less the first cycle before the first value
    assert np.all(np.abs(np.diff(times) - 10) <= 1)  # 10 ms apart (stored to the ms)
    volts = np.array([v[0] for _, _, v in rows])
    amps = np.array([v[1] for _, _, v in rows])
    # Within the Class A ±0.1 % of Udin from the first half cycle on (the clock settling).
    assert volts == pytest.approx(VOLTS, rel=1e-3) and amps == pytest.approx(10.0, rel=1e-3)


def test_half_cycle_recorders_take_only_urms_half_values():
    from engine.errors import InputError
    from engine.storage.recorders import validate_recorders

    with pytest.raises(InputError, match="half-cycle recorder"):
        validate_recorders([RecorderDef("bad", ("V_A",), 0.0)])


def test_the_power_cycle_shows_on_the_panels_event_log(tmp_path):
    """The logger's own events (power-up, source connect) reach the snapshot's event list,
    and are logged once (not again as engine events)."""
    meter, _ = run(tmp_path, 1.0)
    shown = [(e.kind, e.what) for e in meter.snapshot.events]
    assert ("power", "power_up") in shown and ("source", "connect") in shown
    db = Database.in_dir(tmp_path)
    logged = [e.what for e in query_events(db.conn, limit=100) if e.kind == "power"]
    assert logged.count("power_up") == 1
