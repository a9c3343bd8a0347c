"""The [[alarms]] configuration, the default set, and alarms inside the Meter (events,
acknowledgement through the mailbox, actions)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from steps import START, _blocks, _run

from engine.alarms.config import alarm_set
from engine.alarms.defaults import BASIC_ALARMS, default_alarms
from engine.alarms.definitions import AlarmDefinition
from engine.config import MeterConfig, diff_configs, load_config, save_config
from engine.errors import InputError
from engine.meter import Meter
from engine.sources.simulated import SimulatedSource


def test_default_set_limits_follow_the_nominal_values():
    by = {d.id: d for d in default_alarms(230.0, 50.0, 100.0)}
    assert set(BASIC_ALARMS) <= set(by)
    assert by["over_voltage"].pickup == pytest.approx(253.0)
    assert by["over_voltage"].quantities == ("V_A", "V_B", "V_C")
    assert by["under_voltage"].pickup == pytest.approx(207.0)
    assert by["over_frequency"].pickup == pytest.approx(50.5)
    assert by["under_frequency"].pickup == pytest.approx(49.5)
    assert by["over_current"].pickup == pytest.approx(100.0)
    assert by["over_kw_demand"].pickup == pytest.approx(0.9 * 3 * 230 * 100)
    assert (by["sag"].kind, by["sag"].event) == ("disturbance", "dip")
    assert by["power_up"].priority == "info"
    delta = {d.id: d for d in default_alarms(400.0, 60.0, 5.0, delta=True)}
    assert delta["over_voltage"].quantities == ("V_AB", "V_BC", "V_CA")
    assert delta["over_voltage"].pickup == pytest.approx(440.0)
    assert delta["under_frequency"].pickup == pytest.approx(59.4)
    # No [[alarms]]: the default set of the configured nominal values.
    cfg = MeterConfig(nominal_voltage=120.0, nominal_frequency=60.0)
    assert {d.id: d for d in alarm_set(cfg)}["over_voltage"].pickup == pytest.approx(132.0)


def test_a_healthy_simulated_supply_raises_no_shown_alarm():
    meter = Meter(power_quality=True)
    meter.run(SimulatedSource(), paced=False, seconds=30.0)
    snap = meter.snapshot
    assert snap.alarm_list == () and snap.alarms.priority is None
    assert [e.what for e in meter.events if e.kind == "alarm"] == ["power_up", "power_up"]


def test_sixty_alarms_round_trip_through_the_file(tmp_path):
    alarms = (
        *(
            AlarmDefinition(f"ov{k}", quantities=("V_A",), pickup=240.0 + k, dropout=239.0 + k,
                            priority="low", actions=("snapshot",) if k % 2 else ())
            for k in range(60)
        ),
        AlarmDefinition("level", kind="boolean", operator="and", inputs=("ov1", "ov2")),
    )  # fmt: skip
    path = tmp_path / "c.toml"
    save_config(MeterConfig(alarms=alarms), path)
    assert load_config(path).alarms == alarms
    changes = diff_configs(MeterConfig(alarms=alarms), MeterConfig(alarms=(
        replace(alarms[0], pickup=300.0, dropout=290.0), *alarms[1:])))  # fmt: skip
    assert [str(c) for c in changes] == ["alarms.ov0.pickup: 240 -> 300",
                                        "alarms.ov0.dropout: 239 -> 290"]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('[[alarms]]\nid = "ov"\nquantity = "V_A"\npickup = 250\ndropout = 245\n'
         '\n[[alarms]]\nid = "uv"\nquantity = "V_A"\ndirection = "under"\npickup = 200\n'
         'dropout = 205\npickup_delay = -1\n', 13, "alarms.uv.pickup_delay: must be a number"),
        ('[[alarms]]\nid = "ov"\nquantity = "V_A"\npikup = 250\n', 4,
         "alarms.ov.pikup: unknown setting"),
        ('[[alarms]]\nid = "ov"\nquantity = "V_A"\n\n[[alarms]]\nid = "ov"\nquantity = "V_B"\n',
         None, "alarms.ov.id: defined twice"),
        ('[[alarms]]\nid = "lvl"\nkind = "boolean"\ninputs = ["gone"]\n', 4,
         "alarms.lvl.inputs: no alarm with id 'gone'"),
        ('[[alarms]]\nid = "ov"\nquantity = "V_A"\nspeed = "fast"\n', 4,
         "alarms.ov.speed: must be one of standard, high"),
        ('alarms = 3\n', None, "alarms: must be a list of tables"),
    ],
)  # fmt: skip
def test_a_bad_alarm_in_the_file_names_the_file_line_and_key(tmp_path, body, line, message):
    path = tmp_path / "config.toml"
    path.write_text(body)
    with pytest.raises(InputError) as err:
        load_config(path, keep_bad=False)
    assert message in str(err.value)
    if line is not None:
        assert f"config.toml:{line}:" in str(err.value)


def _over(**kw):
    """A high-speed over-voltage alarm: it follows the steps within a cycle or two."""
    return AlarmDefinition("ov", quantities=("V_A",), pickup=250.0, dropout=245.0,
                           priority="high", speed="high", **kw)  # fmt: skip


def test_acknowledge_through_the_mailbox_and_the_alarm_events(tmp_path):
    meter = Meter(MeterConfig(alarms=(_over(actions=("relay2", "snapshot")),)))
    blocks = _blocks([(1.005, 260.0), (2.005, 230.0)], 3.0)
    for b in blocks:
        meter.process(b)
        if b.first_index == 15_000:  # 1.5 s: active
            snap = meter.snapshot
            assert snap.alarms.active_unacknowledged == 1 and snap.relays == (False, True)
            meter.acknowledge("ov")
        if b.first_index == 16_000:
            assert meter.snapshot.alarms.active_acknowledged == 1
    snap = meter.snapshot
    assert snap.alarms.priority is None and snap.alarm_list == () and snap.relays == (False, False)
    assert snap.alarm_history[0].acknowledged
    kinds = [(e.kind, e.what, e.old, e.new) for e in meter.events if e.kind != "capture"]
    assert kinds[:2] == [("alarm", "ov", "inactive", "active"), ("relay", "relay2", "off", "on")]
    assert kinds[2][:2] == ("snapshot", "ov") and "V_A=" in kinds[2][3]
    assert kinds[3] == ("alarm", "ov", "unacknowledged", "acknowledged")
    assert kinds[4:] == [("alarm", "ov", "active", "ended"), ("relay", "relay2", "on", "off")]
    with pytest.raises(ValueError, match="no alarm with id 'nope'"):
        meter.acknowledge("nope")


def test_capture_action_writes_a_capture_through_the_manual_path(tmp_path):
    meter = Meter(MeterConfig(alarms=(_over(actions=("capture",)),)), power_quality=True,
                  capture_dir=tmp_path)  # fmt: skip
    _run(meter, _blocks([(1.005, 260.0)], 2.5))
    # (260 V is also a swell, captured on its own: "capture", "event")
    (cap,) = [e for e in meter.events if e.kind == "capture" and e.what == "alarm ov"]
    assert cap.new.startswith("manual-")
    assert (tmp_path / cap.new).exists()
    without = Meter(MeterConfig(alarms=(_over(actions=("capture",)),)))
    _run(without, _blocks([(1.005, 260.0)], 1.5))
    (cap,) = [e for e in without.events if e.kind == "capture"]
    assert cap.new.startswith("not captured")


def test_disturbance_alarm_follows_a_dip_and_config_change_is_a_unary_alarm():
    """All three phases at 50 % from 1.005 s to 1.505 s: a 0.5 s polyphase dip (IEC
    61000-4-30 threshold 90 %); the sag alarm is active for it and records the residual."""
    cfg = MeterConfig(alarms=(
        AlarmDefinition("sag", kind="disturbance", event="dip", priority="high"),
        AlarmDefinition("cfg", kind="unary", event="config_changed", priority="low"),
    ))  # fmt: skip
    meter = Meter(cfg)
    for b in _blocks([], 3.0):
        t = b.first_index / b.sample_rate + np.arange(b.n_samples) / b.sample_rate
        dip = (t >= 1.005) & (t < 1.505)
        b.voltage[:3, dip] *= 0.5
        meter.process(b)
        if b.first_index == 20_000:
            meter.reconfigure(replace(meter.config, pulse_kt=20.0))
    history = meter.snapshot.alarm_history
    sag = next(r for r in history if r.alarm_id == "sag")
    assert (sag.pickup_time - START).total_seconds() == pytest.approx(1.005, abs=0.025)
    assert (sag.dropout_time - START).total_seconds() == pytest.approx(1.505, abs=0.025)
    assert sag.extreme == pytest.approx(50.0, abs=1.0)  # residual [% of Udin]
    cfg_rec = next(r for r in history if r.alarm_id == "cfg")
    assert (cfg_rec.pickup_time - START).total_seconds() == pytest.approx(2.1)
    assert not cfg_rec.active and not cfg_rec.acknowledged


def test_disabling_an_active_alarm_ends_it_at_the_block_the_change_applies():
    meter = Meter(MeterConfig(alarms=(_over(),)))
    for b in _blocks([(0.5, 260.0)], 2.0):
        meter.process(b)
        if b.first_index == 10_000:  # 1.0 s: active; the change applies at 1.1 s
            assert meter.snapshot.alarms.active_unacknowledged == 1
            meter.reconfigure(MeterConfig(alarms=(_over(enabled=False),)))
    alarm = [(e.old, e.new, (e.time - START).total_seconds()) for e in meter.events
             if e.kind == "alarm"]  # fmt: skip
    assert alarm[0][:2] == ("inactive", "active")
    assert alarm[1] == ("active", "ended", pytest.approx(1.1))
    assert len(alarm) == 2  # disabled: no new pickup though the voltage stays at 260 V
    assert meter.snapshot.alarms.historic_unacknowledged == 1


def test_the_logs_reset_clears_the_alarm_history_but_not_the_active_list():
    meter = Meter(MeterConfig(alarms=(_over(),)))
    for b in _blocks([(0.5, 260.0), (1.0, 230.0), (1.5, 260.0)], 2.5):
        meter.process(b)
        if b.first_index == 20_000:
            assert len(meter.snapshot.alarm_history) == 1
            meter.reset("logs")
    snap = meter.snapshot
    assert snap.alarm_history == ()
    # The second occurrence, active, and the first, ended but not acknowledged, still listed.
    assert [(r.active, r.acknowledged) for r in snap.alarm_list] == [(True, False), (False, False)]


def test_writing_out_the_default_set_records_only_the_setting_edited():
    from engine.alarms.config import with_alarm_setting

    old = MeterConfig()
    new = with_alarm_setting(old, "alarms.over_voltage.enabled", False)
    assert new.alarms is not None and old.alarms is None
    assert [str(c) for c in diff_configs(old, new)] == [
        "alarms.over_voltage.enabled: true -> false"
    ]
    moved = with_alarm_setting(new, "alarms.under_voltage.pickup", 200.0)
    assert [str(c) for c in diff_configs(new, moved)] == [
        "alarms.under_voltage.pickup: 207 -> 200",
        "alarms.under_voltage.dropout: 211.14 -> 204",  # the hysteresis moves with it
    ]
