"""Acknowledgement state machine, the LED/bell summary, boolean levels, digital inputs."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from engine.alarms.book import AlarmBook
from engine.alarms.definitions import AlarmDefinition, evaluation_order
from engine.alarms.engine import AlarmEngine, AlarmInputs
from engine.snapshot import AlarmSummary

T = [datetime(2026, 3, 1, 12, 0, s, tzinfo=UTC) for s in range(10)]
HIGH = AlarmDefinition("a", quantities=("V_A",), priority="high", pickup=1, dropout=1)
LOW = AlarmDefinition("b", quantities=("V_A",), priority="low", pickup=1, dropout=1)
INFO = AlarmDefinition("c", quantities=("V_A",), priority="info", pickup=1, dropout=1)


def test_active_unacknowledged_then_acknowledged_then_ended_leaves_the_active_list():
    book = AlarmBook()
    book.pickup(HIGH, T[0], 2.0)
    assert book.summary() == AlarmSummary(1, 0, 0, "high")  # LED flashing, bell filled red
    assert [r.state for r in book.active_list()] == ["active unacknowledged"]
    (acked,) = book.acknowledge("a", T[1])
    assert acked.acknowledged and acked.ack_time == T[1]
    assert book.summary() == AlarmSummary(0, 1, 0, "high")  # LED steady
    book.dropout("a", T[2])
    assert book.summary() == AlarmSummary(0, 0, 0, None)  # LED off, no bell
    assert book.active_list() == ()
    (hist,) = book.history_list()
    assert hist.state == "ended acknowledged" and hist.dropout_time == T[2]


def test_ended_unacknowledged_stays_until_acknowledged_and_history_records_the_ack():
    book = AlarmBook()
    book.pickup(LOW, T[0], 2.0)
    book.dropout("b", T[1])
    assert book.summary() == AlarmSummary(0, 0, 1, "low")  # LED off, outline bell
    assert [r.state for r in book.active_list()] == ["ended unacknowledged"]
    assert book.acknowledge("a", T[2]) == []  # another alarm: nothing to do
    book.acknowledge("b", T[2])
    assert book.active_list() == () and book.summary() == AlarmSummary()
    assert book.history_list()[0].acknowledged


def test_acknowledge_all_and_a_new_pickup_is_unacknowledged_again():
    book = AlarmBook()
    book.pickup(HIGH, T[0], 2.0)
    book.pickup(LOW, T[1], 2.0)
    book.dropout("b", T[2])
    assert len(book.acknowledge(None, T[3])) == 2
    assert book.summary() == AlarmSummary(0, 1, 0, "high")
    book.dropout("a", T[4])
    book.pickup(HIGH, T[5], 3.0)
    assert book.summary() == AlarmSummary(1, 0, 0, "high")
    assert [r.number for r in book.active_list()] == [3]


def test_info_and_none_are_never_shown_and_highest_priority_colours_the_bell():
    book = AlarmBook()
    book.pickup(INFO, T[0], 2.0)
    assert book.summary() == AlarmSummary() and book.active_list() == ()
    book.pickup(LOW, T[1], 2.0)
    book.pickup(HIGH, T[2], 2.0)
    book.dropout("a", T[3])
    summary = book.summary()
    assert summary.priority == "high" and summary.active_unacknowledged == 1
    assert summary.historic_unacknowledged == 1
    # The active list: high before low; the history: only the ended high one.
    assert [r.alarm_id for r in book.active_list()] == ["a", "b"]
    assert [r.alarm_id for r in book.history_list()] == ["a"]


def test_extreme_follows_the_furthest_value_of_the_direction():
    book = AlarmBook()
    book.pickup(HIGH, T[0], 2.0)
    book.extreme("a", T[1], 5.0, "over")
    book.extreme("a", T[2], 3.0, "over")
    rec = book.current("a")
    assert (rec.value, rec.extreme, rec.extreme_time) == (2.0, 5.0, T[1])


def _digital(n_inputs, changes, t0, t1, rate=100.0):
    """Digital input states sampled at ``rate`` [Hz] from t0 to t1 [s]; ``changes``:
    {input (1-based): [(time, state)]}."""
    times = t0 + np.arange(round((t1 - t0) * rate)) / rate
    states = np.zeros((n_inputs, len(times)), bool)
    for k, steps in changes.items():
        for when, state in steps:
            states[k - 1, times >= when - 1e-9] = state
    return times, states


def _levels(defs, changes, seconds=4.0, block=0.5):
    engine = AlarmEngine(defs)
    out = []
    for k in range(round(seconds / block)):
        t0 = k * block
        digital = _digital(2, changes, t0, t0 + block)
        out += engine.step(AlarmInputs(t0, t0 + block, digital=digital))
    return [(c.definition.id, c.what, round(c.time.timestamp(), 6)) for c in out]


DI1 = AlarmDefinition("di1", kind="digital", input=1, priority="none")
DI2 = AlarmDefinition("di2", kind="digital", input=2, priority="none")


def test_and_level_picks_up_when_both_inputs_are_active_after_its_delay():
    both = AlarmDefinition("both", kind="boolean", operator="and", inputs=("di1", "di2"),
                           pickup_delay=0.25, priority="high")  # fmt: skip
    got = _levels((both, DI1, DI2), {1: [(0.5, True), (3.0, False)], 2: [(1.2, True)]})
    assert [g for g in got if g[0] == "both"] == [("both", "pickup", 1.45),
                                                  ("both", "dropout", 3.0)]  # fmt: skip


def test_or_and_not_levels_and_a_level_built_on_a_level():
    either = AlarmDefinition("either", kind="boolean", operator="or", inputs=("di1", "di2"))
    neither = AlarmDefinition("neither", kind="boolean", operator="not", inputs=("either",))
    got = _levels((neither, either, DI1, DI2), {1: [(0.5, True), (1.0, False)],
                                                2: [(0.8, True), (2.0, False)]})  # fmt: skip
    assert [g for g in got if g[0] == "either"] == [("either", "pickup", 0.5),
                                                    ("either", "dropout", 2.0)]  # fmt: skip
    # NOT: active from the start (no input active), off 0.5 .. 2.0, on again.
    assert [g for g in got if g[0] == "neither"] == [
        ("neither", "pickup", 0.0), ("neither", "dropout", 0.5), ("neither", "pickup", 2.0),
    ]  # fmt: skip


def test_digital_alarm_on_an_input_with_delays_and_inverted_state():
    open_ = AlarmDefinition("door", kind="digital", input=2, state=False, pickup_delay=0.1,
                            dropout_delay=0.2, priority="low")  # fmt: skip
    got = _levels((open_,), {2: [(0.0, True), (1.0, False), (1.05, True), (2.0, False),
                                 (3.0, True)]})  # fmt: skip
    # Off for 0.05 s at 1.0 (shorter than the delay): nothing; off from 2.0: pickup 2.1; on at
    # 3.0: dropout 3.2.
    assert got == [("door", "pickup", 2.1), ("door", "dropout", 3.2)]


def test_evaluation_order_puts_inputs_first_and_refuses_loops_and_unknown_inputs():
    x = AlarmDefinition("x", kind="boolean", operator="or", inputs=("y",))
    y = AlarmDefinition("y", kind="boolean", operator="or", inputs=("di1",))
    assert [d.id for d in evaluation_order((x, y, DI1))] == ["di1", "y", "x"]
    loop = AlarmDefinition("di1", kind="boolean", operator="not", inputs=("x",))
    with pytest.raises(ValueError, match="loop"):
        evaluation_order((x, y, loop))
    with pytest.raises(ValueError, match="no alarm with id 'y'"):
        evaluation_order((x,))
    with pytest.raises(ValueError, match="defined twice"):
        evaluation_order((DI1, DI1))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"pickup": 250.0, "dropout": 260.0}, "dropout: an over alarm"),
        ({"direction": "under", "pickup": 200.0, "dropout": 190.0}, "dropout: an under alarm"),
        ({"pickup_delay": -1.0}, "pickup_delay: must be a number >= 0"),
        ({"priority": "urgent"}, "priority: must be one of none, info, low, medium, high"),
        ({"speed": "high", "quantities": ("FREQ",)}, "FREQ has no half-cycle value"),
        ({"quantities": ()}, "needs at least one quantity"),
        ({"actions": ("relay3",)}, "actions: must be one of"),
    ],
)
def test_definitions_refuse_what_cannot_work(fields, message):
    base = {"quantities": ("V_A",), "pickup": 250.0, "dropout": 245.0}
    with pytest.raises(ValueError, match=message):
        AlarmDefinition("ov", **{**base, **fields})


def test_unshown_alarms_need_no_acknowledgement_and_ended_ones_are_bounded():
    book = AlarmBook(history_length=3)
    book.pickup(INFO, T[0], 2.0)
    book.dropout("c", T[1])
    assert book.acknowledge(None, T[2]) == []  # nothing left open for an Info alarm
    for k in range(5):  # a chattering alarm nobody acknowledges
        book.pickup(LOW, T[k], 2.0)
        book.dropout("b", T[k + 1])
    assert len(book.active_list()) == 3  # the three newest
    assert [r.number for r in book.active_list()] == [6, 5, 4]
