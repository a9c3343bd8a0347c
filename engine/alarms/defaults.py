"""The default alarm set, with limits relative to the configured nominal values.

Used when the configuration has no ``[[alarms]]`` (docs/configuration.md). The limits follow
the usual supply-quality references, so a healthy supply raises none of them:

- voltage ±10 % of nominal for 1 s (EN 50160 §4.2.2 supply voltage variations), phase loss
  below 50 % for 0.5 s; limits apply to L-N voltages, or L-L ones on a 3-wire delta;
- frequency ±1 % of nominal for 10 s (EN 50160 §4.2.1, 99.5 % of the year band);
- voltage unbalance U2 above 2 % for 10 s (EN 50160 §4.2.5);
- voltage THD above 8 % for 10 s (EN 50160 §4.2.4);
- phase current above the CT primary for 5 s, neutral above half of it (disabled, see below);
- total kW demand above 90 % of 3 · Un · In (wye; √3 · Un · In on delta) (disabled);
- dips, swells and interruptions from the PQ engine (IEC 61000-4-30 §5.4 thresholds);
- unary: power-up and configuration changed (Info: logged only), source lost (Low).

The current and power alarms are defined but disabled: their limits follow the CT primary,
which says what the transformer is rated for, not what the load is (the emulator's default
5 A CT with a 100 A simulated load would alarm at once); set the limit and enable them in
Setup > Alarms. Current unbalance and current THD are also meaningless at light load.
Hysteresis 2 % of the limit, so a value sitting at the limit does not chatter.
"""

from __future__ import annotations

from engine.alarms.definitions import AlarmDefinition

#: The alarms Setup > Alarms edits on the panel (enable, limit, priority), in its order.
BASIC_ALARMS = (
    "over_voltage", "under_voltage", "phase_loss", "voltage_unbalance", "over_frequency",
    "under_frequency", "over_current", "over_current_n", "current_unbalance", "over_kw_demand",
    "over_thd_v", "over_thd_i", "sag", "swell", "interruption",
)  # fmt: skip


def default_alarms(
    nominal_voltage: float, nominal_frequency: float, rated_current: float, delta: bool = False
) -> tuple[AlarmDefinition, ...]:
    """The default set for nominal voltage [V] (L-N, or L-L when ``delta``), frequency [Hz]
    and rated (CT primary) current [A]."""
    un, fn, i = nominal_voltage, nominal_frequency, rated_current
    volts = ("V_AB", "V_BC", "V_CA") if delta else ("V_A", "V_B", "V_C")
    amps = ("I_A", "I_B", "I_C")
    rated_power = (3**0.5 if delta else 3.0) * un * i

    def over(id_, qs, limit, delay, priority="medium", enabled=True, **kw):
        return AlarmDefinition(id_, quantities=qs, direction="over", pickup=limit,
                               dropout=0.98 * limit, pickup_delay=delay, dropout_delay=delay,
                               priority=priority, enabled=enabled, **kw)  # fmt: skip

    def under(id_, qs, limit, delay, priority="medium", **kw):
        return AlarmDefinition(id_, quantities=qs, direction="under", pickup=limit,
                               dropout=1.02 * limit, pickup_delay=delay, dropout_delay=delay,
                               priority=priority, **kw)  # fmt: skip

    return (
        over("over_voltage", volts, 1.10 * un, 1.0),
        under("under_voltage", volts, 0.90 * un, 1.0),
        under("phase_loss", volts, 0.50 * un, 0.5, "high", speed="high"),
        over("voltage_unbalance", ("U2_V",), 2.0, 10.0, "low"),
        over("over_frequency", ("FREQ",), 1.01 * fn, 10.0),
        under("under_frequency", ("FREQ",), 0.99 * fn, 10.0),
        over("over_current", amps, i, 5.0, enabled=False),
        over("over_current_n", ("I_N",), 0.5 * i, 5.0, "low", enabled=False),
        over("current_unbalance", ("U2_I",), 10.0, 10.0, "low", enabled=False),
        over("over_kw_demand", ("D_P",), 0.9 * rated_power, 0.0, "low", enabled=False),
        over("over_thd_v", ("THD_V_A", "THD_V_B", "THD_V_C") if not delta
             else ("THD_V_AB", "THD_V_BC", "THD_V_CA"), 8.0, 10.0, "low"),
        over("over_thd_i", ("THD_I_A", "THD_I_B", "THD_I_C"), 20.0, 10.0, "low", enabled=False),
        AlarmDefinition("sag", kind="disturbance", event="dip", priority="high"),
        AlarmDefinition("swell", kind="disturbance", event="swell", priority="high"),
        AlarmDefinition("interruption", kind="disturbance", event="interruption",
                        priority="high"),
        AlarmDefinition("power_up", kind="unary", event="power_up", priority="info"),
        AlarmDefinition("config_changed", kind="unary", event="config_changed", priority="info"),
        # 1 s: the first window of a stream (no frequency yet) is not a lost source.
        AlarmDefinition("source_lost", kind="unary", event="source_lost", priority="low",
                        pickup_delay=1.0),
    )  # fmt: skip
