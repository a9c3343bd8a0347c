"""EN 50160 weekly evaluation on records with a known truth: the share of values outside each
limit is set exactly, on both sides of the required percentage."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest

from engine.compliance import En50160Settings, evaluate_en50160
from engine.pq.events import Event

T0 = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday, 00:00 UTC
TEN_MIN = timedelta(minutes=10)
LV = En50160Settings(230.0)


def records(n, **values):
    """``n`` 10-min records from T0, every id at its value (lists give one value per record)."""
    out = []
    for i in range(n):
        r = {"t": T0 + (i + 1) * TEN_MIN, "flagged": False}
        for k, v in values.items():
            r[k] = v[i] if isinstance(v, list) else v
        out.append(r)
    return out


def with_outliers(n, n_out, good, bad):
    return [bad] * n_out + [good] * (n - n_out)


def rows(result, parameter, phase=None, order=None, week=0):
    return [
        r
        for r in result.weeks[week].rows
        if r.parameter == parameter and r.phase == phase and r.order == order
    ]


# 1000 valid values: 50 outside = exactly 5.0 % -> 95.0 % within: pass; 51 -> 94.9 %: fail.
@pytest.mark.parametrize(("n_out", "passed"), [(50, True), (51, False)])
def test_supply_voltage_95_pct_boundary(n_out, passed):
    v = with_outliers(1000, n_out, 230.0, 205.0)  # 205 V: outside ±10 %, inside −15 %
    res = evaluate_en50160(records(1000, V_A=v), LV)
    r95, r100 = rows(res, "supply_voltage", "A")
    assert r95.required_pct == 95.0 and r95.low == 207.0 and r95.high == 253.0
    assert r95.pct_within == pytest.approx(100.0 - n_out / 10)
    assert r95.passed is passed
    assert r100.passed is True and r100.pct_within == 100.0
    assert r95.worst == 205.0
    assert res.passed is passed


def test_voltage_on_the_limits_is_within():
    v = [207.0] * 500 + [253.0] * 500
    r95, r100 = rows(evaluate_en50160(records(1000, V_A=v), LV), "supply_voltage", "A")
    assert r95.pct_within == 100.0 and r95.passed and r100.passed


def test_voltage_100_pct_range_fails_on_one_value():
    v = with_outliers(1000, 1, 230.0, 195.4)  # below Un − 15 % = 195.5 V
    r95, r100 = rows(evaluate_en50160(records(1000, V_A=v), LV), "supply_voltage", "A")
    assert r95.passed is True
    assert r100.passed is False and r100.pct_within == pytest.approx(99.9)


def test_mv_voltage_needs_99_pct():
    mv = En50160Settings(20000.0)
    # 10 of 1000 outside ±10 %: 99.0 % within passes; 11 fails.
    for n_out, passed in ((10, True), (11, False)):
        v = with_outliers(1000, n_out, 20000.0, 17500.0)
        r99, r100 = rows(evaluate_en50160(records(1000, V_A=v), mv), "supply_voltage", "A")
        assert (r99.required_pct, r99.passed, r100.passed) == (99.0, passed, True)


def test_flagged_values_are_excluded():
    # 60 values far outside, all flagged: they do not count, and are reported as excluded.
    recs = records(1000, V_A=with_outliers(1000, 60, 230.0, 100.0))
    for r in recs[:60]:
        r["flagged"] = True
    res = evaluate_en50160(recs, LV)
    r95, r100 = rows(res, "supply_voltage", "A")
    assert (r95.n_valid, r95.n_excluded, r95.passed, r100.passed) == (940, 60, True, True)
    assert r95.worst == 230.0
    assert res.weeks[0].n_flagged == 60
    assert any("flagged" in n for n in res.notes)


def test_nan_values_are_skipped_and_a_row_without_values_is_not_evaluated():
    res = evaluate_en50160(records(10, V_A=math.nan, U2_V=[math.nan] * 9 + [1.0]), LV)
    assert {r.passed for r in rows(res, "supply_voltage", "A")} == {None}
    (u2,) = rows(res, "unbalance_u2")
    assert (u2.n_valid, u2.passed) == (1, True)


@pytest.mark.parametrize(("n_out", "passed"), [(5, True), (6, False)])
def test_frequency_10s_values_995_pct(n_out, passed):
    # 1000 10-s values: 5 outside 50 ± 1 % is 99.5 % within: pass; 6 fail.
    freq = [(T0 + (i + 1) * timedelta(seconds=10), 50.0) for i in range(1000)]
    for i in range(n_out):
        freq[i] = (freq[i][0], 50.51)
    res = evaluate_en50160(records(10, FREQ=49.0), LV, frequency_10s=freq)
    f99, f100 = rows(res, "frequency")
    assert res.frequency_source == "10-s" and f99.source == "10-s"
    assert (f99.n_valid, f99.passed, f100.passed) == (1000, passed, True)
    assert f99.worst == 50.51


def test_frequency_falls_back_to_10min_values_and_says_so():
    res = evaluate_en50160(records(200, FREQ=with_outliers(200, 1, 50.0, 52.01)), LV)
    f99, f100 = rows(res, "frequency")
    assert res.frequency_source == "10-min (fallback)" and f99.source == "FREQ"
    # 1 of 200 outside 50 ± 1 % is 99.5 % within (pass); 52.01 > 50 Hz + 4 % fails the 100 %.
    assert (f99.pct_within, f99.passed, f100.passed) == (99.5, True, False)
    assert any("10-min FREQ" in n for n in res.notes)


def test_frequency_island_system():
    island = En50160Settings(230.0, system="island")
    f = with_outliers(1000, 50, 50.0, 51.0)  # on the ±2 % limit: within
    f95, _ = rows(evaluate_en50160(records(1000, FREQ=f), island), "frequency")
    assert (f95.required_pct, f95.pct_within, f95.passed) == (95.0, 100.0, True)


@pytest.mark.parametrize(("n_out", "passed"), [(4, True), (5, False)])
def test_flicker_plt_95_pct(n_out, passed):
    # 84 two-hourly Plt values in a week: 4 above 1 is 95.24 % within; 5 is 94.05 %.
    plt = [
        {"t": T0 + (k + 1) * timedelta(hours=2), "PLT_A": 1.2 if k < n_out else 1.0, "PLT_B": 0.5}
        for k in range(84)
    ]
    res = evaluate_en50160(records(1008, V_A=230.0), LV, plt=plt)
    (a,) = rows(res, "flicker_plt", "A")
    (b,) = rows(res, "flicker_plt", "B")
    assert (a.n_valid, a.high, a.passed, a.worst) == (84, 1.0, passed, 1.2)
    assert b.passed is True and not rows(res, "flicker_plt", "C")


def test_an_incomplete_plt_is_left_out():
    """A Plt of fewer than 12 whole Pst ("complete": False) is no Plt: not counted."""
    plt = [{"t": T0 + (k + 1) * timedelta(hours=2), "PLT_A": 0.5, "complete": True}
           for k in range(10)]  # fmt: skip
    plt.insert(0, {"t": T0 + timedelta(hours=1), "PLT_A": 3.0, "complete": False})
    (a,) = rows(evaluate_en50160(records(1008, V_A=230.0), LV, plt=plt), "flicker_plt", "A")
    assert (a.n_valid, a.worst, a.passed) == (10, 0.5, True)


@pytest.mark.parametrize(("n_out", "passed"), [(50, True), (51, False)])
def test_unbalance_and_thd_and_harmonic_95_pct(n_out, passed):
    recs = records(
        1000,
        U2_V=with_outliers(1000, n_out, 1.0, 2.01),
        THD_V_B=with_outliers(1000, n_out, 8.0, 8.01),
        H_V_C_9=with_outliers(1000, n_out, 1.5, 1.51),
    )
    res = evaluate_en50160(recs, LV)
    (u2,) = rows(res, "unbalance_u2")
    (thd,) = rows(res, "thd", "B")
    (h9,) = rows(res, "harmonic", "C", 9)
    assert (u2.high, thd.high, h9.high) == (2.0, 8.0, 1.5)
    assert (u2.passed, thd.passed, h9.passed) == (passed, passed, passed)
    assert thd.source == "THD_V_B"


def test_thd_uses_harmonics_up_to_40_when_all_present():
    # 3 % at h = 2..40 except h = 5 at 7 %: THD = sqrt(38·9 + 49) = sqrt(391) = 19.77 %;
    # the record's own THD_V_A (1 %) is not used.
    values = {f"H_V_A_{h}": 0.1 for h in range(2, 41)} | {"H_V_A_41": 50.0, "THD_V_A": 1.0}
    values["H_V_A_5"] = 0.7
    (thd,) = rows(evaluate_en50160(records(10, **values), LV), "thd", "A")
    assert thd.source == "H_V_A_2..40"
    assert thd.worst == pytest.approx(math.sqrt(38 * 0.01 + 0.49))


def test_every_harmonic_row_has_its_table_limit():
    values = {f"H_V_A_{h}": 0.0 for h in range(2, 64)}
    res = evaluate_en50160(records(5, **values), LV)
    limits = {r.order: r.high for r in res.weeks[0].rows if r.parameter == "harmonic"}
    assert sorted(limits) == list(range(2, 26))  # no row above h = 25
    assert limits[5] == 6.0 and limits[3] == 5.0 and limits[24] == 0.5


def test_delta_wiring_evaluates_line_to_line_channels():
    res = evaluate_en50160(records(10, V_AB=400.0, V_BC=400.0, V_CA=450.0), En50160Settings(400.0))
    phases = {r.phase for r in res.weeks[0].rows if r.parameter == "supply_voltage"}
    assert phases == {"AB", "BC", "CA"}
    assert rows(res, "supply_voltage", "CA")[0].passed is False


def test_weeks_and_partial_weeks():
    res = evaluate_en50160(records(1008 + 100, V_A=230.0), LV)
    assert len(res.weeks) == 2
    w1, w2 = res.weeks
    assert (w1.n_records, w1.partial) == (1008, False)
    assert (w2.n_records, w2.partial) == (100, True)
    assert w1.period.end == T0 + timedelta(days=7) == w2.period.start
    assert any("week 2 is partial: 100 of 1008" in n for n in res.notes)


def test_a_failing_week_fails_the_result():
    v = [230.0] * 1008 + [180.0] * 10
    res = evaluate_en50160(records(1018, V_A=v), LV)
    assert (res.weeks[0].passed, res.weeks[1].passed, res.passed) == (True, False, False)


def test_start_aligns_the_weeks():
    start = T0 - timedelta(days=3)
    res = evaluate_en50160(records(1008, V_A=230.0), LV, start=start)
    assert [w.n_records for w in res.weeks] == [4 * 144, 3 * 144]


def test_event_tables_per_week_and_overall():
    def dip(day, pct, dur):
        return Event("dip", "POLY", T0 + timedelta(days=day), dur, pct)

    events = [dip(1, 85.0, 0.1), dip(8, 30.0, 2.0), Event("interruption", "POLY", T0, 200.0, 1.0)]
    events.append(Event("swell", "A", T0 + timedelta(days=2), 1.0, 115.0))
    res = evaluate_en50160(records(1100, V_A=230.0), LV, events=events)
    assert res.weeks[0].dips.counts[0][0] == 1 and res.weeks[0].dips.total == 1
    assert res.weeks[1].dips.counts[3][3] == 1 and res.weeks[1].dips.total == 1
    assert res.dips.total == 2 and res.swells.counts[1][1] == 1
    assert res.swells.source == "per-phase"
    assert (res.interruptions.short, res.interruptions.long) == (0, 1)
    assert res.passed is True  # events are counted, not judged


def test_to_dict_is_json_ready():
    recs = records(20, V_A=[math.nan] + [230.0] * 19, FREQ=50.0)
    d = evaluate_en50160(recs, LV).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert d["standard"] == "EN 50160:2010" and d["settings"]["network"] == "LV"
    assert json.loads(text)["weeks"][0]["start"] == "2024-01-01T00:00:00+00:00"


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="needs records"):
        evaluate_en50160([], LV)
    with pytest.raises(ValueError, match="timezone"):
        evaluate_en50160([{"t": datetime(2024, 1, 1), "V_A": 230.0}], LV)
    with pytest.raises(ValueError, match="En50160Settings"):
        evaluate_en50160(records(1), {"declared_voltage": 230})
    with pytest.raises(ValueError, match="time, hz"):
        evaluate_en50160(records(1), LV, frequency_10s=[(T0, 50.0, 1)])
