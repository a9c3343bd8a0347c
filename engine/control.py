"""Commands to a running Meter from other threads: configuration changes, resets, test mode and
the revenue lock, and the engine events that record each of them.

The HMI runs ``Meter.run`` in a worker thread. Its requests go through one small mailbox (a
lock-protected list) that ``Meter.process`` drains at the start of every block, so the worker
thread alone changes the meter's state and every change takes effect at a block boundary. A
request is checked in the caller's thread before it is queued: a bad setting raises
``ValueError`` there, and a request the revenue lock forbids raises ``RevenueLocked``.

Revenue lock (ION7400 user manual, "Revenue locking"): while it is in force the billing settings
(volts mode, PT and CT ratios), the energy, peak-demand and master resets and test mode are
refused. The emulated switch and its pending state belong to the HMI; the engine only knows
whether the lock is in force.

Test mode: separate energy and demand registers (``T_E_P_DEL`` …, ``T_D_P`` …) accumulate from
zero while the billing registers stand still; leaving test mode discards them and the billing
registers carry on from where they stopped (the demand sees the test period as a gap, see
``engine.metering.demand``). Energy, peak-demand and master resets in test mode clear the test
registers, since the billing registers never move in test mode.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from engine.config import MeterConfig, validate
from engine.config_changes import diff_configs
from engine.metering import DemandSet, DemandSettings, EnergyRegisters

if TYPE_CHECKING:
    from engine.meter import Meter

RESET_KINDS = ("energy", "peak_demand", "minmax", "logs", "disturbance", "master")
#: Resets refused while the revenue lock is in force.
LOCKED_RESETS = frozenset({"energy", "peak_demand", "master"})
#: Settings the revenue lock protects (volts mode, PT and CT ratios).
BILLING_SETTINGS = (
    "wiring",
    "pt_primary",
    "pt_secondary",
    "ct_primary",
    "ct_secondary",
    "i4_ct_primary",
    "i4_ct_secondary",
)
#: Settings whose change rebuilds the input scaling and window timing (the stream restarts).
STREAM_SETTINGS = frozenset(
    {
        "wiring", "nominal_voltage", "nominal_frequency", "pt_primary", "pt_secondary",
        "ct_primary", "ct_secondary", "i4_ct_primary", "i4_ct_secondary", "channels",
    }
)  # fmt: skip
#: Settings whose change makes the last published readings meaningless (other quantities, or
#: another window length): they are dropped until the first new window.
LAYOUT_SETTINGS = frozenset({"wiring", "nominal_frequency"})
#: "alarm": a pickup, dropout or acknowledgement (``engine.alarms.meter_link``); "relay" and
#: "snapshot": alarm actions.
EVENT_KINDS = (
    "config", "reset", "test_mode", "revenue_lock", "capture", "alarm", "relay", "snapshot",
)  # fmt: skip
#: Who holds a relay switched on by hand (``engine.alarms.outputs.RelayOutputs``).
MANUAL = "manual"
#: How many engine events ``Meter.events`` keeps.
MAX_EVENTS = 1000


class RevenueLocked(ValueError):
    """A request the revenue lock forbids (billing setting change, energy or demand reset,
    test mode)."""


@dataclass(frozen=True)
class EngineEvent:
    """One applied change or reset.

    ``time``: signal time (UTC) of the start of the block it took effect in; ``kind``: one of
    ``EVENT_KINDS``; ``what``: the setting (dotted, e.g. ``"ct_primary"``, ``"demand.interval"``)
    or the reset kind; ``old`` / ``new``: the values before and after as text (None for resets,
    or a note such as ``"test registers"``).
    """

    time: datetime
    kind: str
    what: str
    old: str | None = None
    new: str | None = None


# -- commands (queued in the caller's thread, applied in the worker's) ---------------------------


@dataclass(frozen=True)
class Reconfigure:
    config: MeterConfig


@dataclass(frozen=True)
class Reset:
    kind: str


@dataclass(frozen=True)
class SetTestMode:
    on: bool


@dataclass(frozen=True)
class SetRevenueLock:
    active: bool


@dataclass(frozen=True)
class CaptureWaveform:
    pass


@dataclass(frozen=True)
class Acknowledge:
    alarm_id: str | None


@dataclass(frozen=True)
class ForceRelay:
    relay: int
    on: bool


Command = (
    Reconfigure | Reset | SetTestMode | SetRevenueLock | CaptureWaveform | Acknowledge | ForceRelay
)


# -- configuration differences -------------------------------------------------------------------


def setting_name(key: str) -> str:
    """The MeterConfig field a file key (``engine.config_changes``) belongs to:
    "meter.ct_primary" -> "ct_primary", "meter.channels.I2.polarity" -> "channels",
    "demand.interval" -> "demand"."""
    parts = key.split(".")
    return parts[1] if parts[0] == "meter" and len(parts) > 1 else parts[0]


# -- test registers ------------------------------------------------------------------------------


class TestRegisters:
    """Energy and demand of test mode, published as ``T_E_…`` [Wh, varh, VAh] and ``T_D_P``,
    ``T_D_Q``, ``T_D_S`` [W, var, VA] (present demand with the configured demand settings)."""

    __test__ = False  # not a pytest test class

    def __init__(self, settings: DemandSettings) -> None:
        self.energy = EnergyRegisters()
        self.demand = DemandSet(settings.method, settings.interval, settings.subintervals)

    def values(self) -> dict[str, float]:
        out = {f"T_{k}": v for k, v in self.energy.values().items()}
        d = self.demand.values()
        out.update({f"T_D_{m}": d[f"D_{m}"] for m in ("P", "Q", "S")})
        return out


def _demand_keeping_peaks(old: DemandSet, settings: DemandSettings) -> DemandSet:
    """A fresh DemandSet with ``settings`` holding the peaks of ``old``."""
    fresh = DemandSet(settings.method, settings.interval, settings.subintervals).to_dict()
    saved = old.to_dict()
    for m, state in fresh.items():
        if isinstance(state, dict):
            state["peak"], state["peak_time"] = saved[m]["peak"], saved[m]["peak_time"]
    return DemandSet.from_dict(fresh)


# -- the mailbox and its two sides ---------------------------------------------------------------


class MeterControl:
    """The mailbox of one Meter, the requested lock / test-mode state and the engine events.

    The request methods (``reconfigure``, ``reset``, ``set_test_mode``, ``set_revenue_lock``)
    may be called from any thread; ``apply`` runs in the worker thread at the start of a block.
    """

    def __init__(self, config: MeterConfig) -> None:
        self._lock = threading.Lock()
        self._pending: list[Command] = []
        # What the requests so far will lead to (checked against in the caller's thread).
        self._config = config
        self._locked = False
        self._test_mode = False
        self.events: deque[EngineEvent] = deque(maxlen=MAX_EVENTS)
        self.event_count = 0  # events recorded since construction (the deque keeps the last)

    # -- caller's side -------------------------------------------------------------------------

    @property
    def revenue_locked(self) -> bool:
        """Whether the revenue lock is in force."""
        return self._locked

    @property
    def test_mode(self) -> bool:
        """Whether test mode is requested (applied at the next block)."""
        return self._test_mode

    @property
    def config(self) -> MeterConfig:
        """The configuration the queued requests lead to (``Meter.config``: the applied one)."""
        return self._config

    def reconfigure(self, config: MeterConfig) -> None:
        """Queue ``config``. Scaling, polarity, corrections, wiring and nominal values restart
        the stream (the first new window follows the next rising crossing; the window in
        progress is dropped); new demand settings start a new demand calculation, keeping the
        peaks only if the method and interval stay (else a ``peak_demand`` reset event says
        so). ``TypeError`` / ``ValueError`` for an invalid configuration, ``RevenueLocked`` for
        a billing setting while locked: nothing is queued then."""
        if not isinstance(config, MeterConfig):
            raise TypeError(f"reconfigure needs a MeterConfig, got {type(config).__name__}")
        validate(config)
        if not isinstance(config.demand, DemandSettings):
            raise ValueError(f"demand: expected DemandSettings, got {config.demand!r}")
        with self._lock:
            if self._locked:
                old = self._config
                changed = [n for n in BILLING_SETTINGS if getattr(config, n) != getattr(old, n)]
                if changed:
                    raise RevenueLocked(
                        f"revenue lock is on: {', '.join(changed)} cannot be changed"
                    )
            self._config = config
            self._pending.append(Reconfigure(config))

    def reset(self, kind: str) -> None:
        """Queue a reset of ``kind`` (``RESET_KINDS``; ``"master"`` is all of them).
        ``RevenueLocked`` for ``LOCKED_RESETS`` while locked, ``ValueError`` for another kind.
        ``"disturbance"`` (and ``"master"``) zero the live event counters; ``"logs"`` (and
        ``"master"``) clear the alarm history."""
        if kind not in RESET_KINDS:
            raise ValueError(f"reset: {kind!r} is not one of {', '.join(RESET_KINDS)}")
        with self._lock:
            if self._locked and kind in LOCKED_RESETS:
                what = kind.replace("_", " ")
                raise RevenueLocked(f"revenue lock is on: the {what} reset is not allowed")
            self._pending.append(Reset(kind))

    def set_test_mode(self, on: bool) -> None:
        """Queue entering (test registers from zero) or leaving (test registers discarded) test
        mode; ``RevenueLocked`` to enter while locked. Repeating the current state does nothing."""
        on = bool(on)
        with self._lock:
            if on and self._locked:
                raise RevenueLocked("revenue lock is on: test mode is not allowed")
            if on != self._test_mode:
                self._test_mode = on
                self._pending.append(SetTestMode(on))

    def capture(self) -> None:
        """Queue a manual waveform capture, triggered at the start of the next block; its file
        name is recorded as a ``capture`` event."""
        with self._lock:
            self._pending.append(CaptureWaveform())

    def acknowledge(self, alarm_id: str | None) -> None:
        """Queue acknowledging the alarm ``alarm_id`` (all its unacknowledged occurrences;
        None: every alarm). ``ValueError`` for an id the configuration does not define."""
        from engine.alarms.config import alarm_set

        with self._lock:
            if alarm_id is not None and alarm_id not in {a.id for a in alarm_set(self._config)}:
                raise ValueError(f"acknowledge: no alarm with id {alarm_id!r}")
            self._pending.append(Acknowledge(alarm_id))

    def force_relay(self, relay: int, on: bool) -> None:
        """Queue switching relay output ``relay`` (1-based) on or off by hand (the panel's
        Outputs screen); it stays so until switched back, whatever the alarms do, and an
        alarm holding it keeps it on. ``ValueError`` for a relay the meter does not have."""
        from engine.alarms.outputs import RELAYS

        if relay not in range(1, RELAYS + 1):
            raise ValueError(f"relay: must be 1 to {RELAYS}, got {relay!r}")
        with self._lock:
            self._pending.append(ForceRelay(relay, bool(on)))

    def set_revenue_lock(self, active: bool) -> None:
        """The lock is in force for requests at once; its event and, when locking, the end of
        test mode follow at the next block, after the requests queued before it."""
        active = bool(active)
        with self._lock:
            if active != self._locked:
                self._locked = active
                self._pending.append(SetRevenueLock(active))
                if active:  # the lock ends test mode (applied after the lock, in order)
                    self._test_mode = False

    # -- worker's side ---------------------------------------------------------------------------

    def apply(self, meter: Meter, time: datetime) -> None:
        """Apply every queued command to ``meter``, in order; ``time``: the block's start."""
        with self._lock:
            if not self._pending:
                return
            todo, self._pending = self._pending, []
        for cmd in todo:
            if isinstance(cmd, Reconfigure):
                self._apply_config(meter, cmd.config, time)
            elif isinstance(cmd, Reset):
                self._apply_reset(meter, cmd.kind, time)
            elif isinstance(cmd, SetTestMode):
                self._apply_test_mode(meter, cmd.on, time)
            elif isinstance(cmd, CaptureWaveform):
                self._apply_capture(meter, time)
            elif isinstance(cmd, ForceRelay):
                outputs = meter.alarm_state.outputs
                before = outputs.state(cmd.relay)
                outputs.hold(cmd.relay, MANUAL, cmd.on)
                states = [("off", "on")[x] for x in (before, outputs.state(cmd.relay))]
                self._record(time, "relay", f"relay{cmd.relay}", *states)
            elif isinstance(cmd, Acknowledge):
                try:
                    meter.alarm_state.acknowledge(meter, cmd.alarm_id, time)
                except ValueError:  # an alarm removed meanwhile: nothing to acknowledge
                    pass
            else:
                states = ("unlocked", "locked") if cmd.active else ("locked", "unlocked")
                self._record(time, "revenue_lock", "revenue_lock", *states)
                if cmd.active and meter.test is not None:
                    self._apply_test_mode(meter, False, time)

    def record(self, time: datetime, kind: str, what: str, old=None, new=None) -> None:
        """Record an engine event (worker thread only; ``kind`` one of ``EVENT_KINDS``)."""
        self._record(time, kind, what, old, new)

    def _record(self, time: datetime, kind: str, what: str, old=None, new=None) -> None:
        self.events.append(EngineEvent(time, kind, what, old, new))
        self.event_count += 1

    def _apply_config(self, meter: Meter, new: MeterConfig, time: datetime) -> None:
        old = meter.config
        changes = diff_configs(old, new)
        if not changes:
            return
        meter.config = new
        for change in changes:
            self._record(time, "config", change.key, str(change.old), str(change.new))
        top = {setting_name(change.key) for change in changes}
        if top & STREAM_SETTINGS:
            meter.restart_measurement(clear=bool(top & LAYOUT_SETTINGS))
        d, was = new.demand, old.demand
        if (d.method, d.interval, d.n_sub) != (was.method, was.interval, was.n_sub):
            if (d.method, d.interval) == (was.method, was.interval):
                meter.demand = _demand_keeping_peaks(meter.demand, d)
            else:
                meter.demand = DemandSet(d.method, d.interval, d.subintervals)
                note = "demand method or interval changed"
                self._record(time, "reset", "peak_demand", None, note)
            if meter.test is not None:  # test demand restarts; test energy carries on
                meter.test.demand = DemandSet(d.method, d.interval, d.subintervals)

    def _apply_reset(self, meter: Meter, kind: str, time: datetime) -> None:
        test = meter.test
        note = "test registers" if test is not None and kind in LOCKED_RESETS else None
        if kind in ("energy", "master"):
            (test.energy if test is not None else meter.energy).reset()
        if kind in ("peak_demand", "master"):
            (test.demand if test is not None else meter.demand).reset_peaks()
        if kind == "master":
            (test.demand if test is not None else meter.demand).reset()
        if kind in ("minmax", "master"):
            meter.minmax.reset()
        if kind in ("disturbance", "master") and meter.power_quality is not None:
            meter.power_quality.reset_counters()
        if kind in ("logs", "master"):
            meter.alarm_state.engine.book.clear_history()
        # "logs": the event log itself acts on the recorded event.
        self._record(time, "reset", kind, None, note)

    def _apply_capture(self, meter: Meter, time: datetime) -> None:
        pq = meter.power_quality
        try:
            if pq is None:
                raise ValueError("no stream yet")
            name = pq.capture_now(time)
        except ValueError as exc:  # refused: say why in the event log, the meter goes on
            self._record(time, "capture", "manual", None, f"not captured: {exc}")
            return
        self._record(time, "capture", "manual", None, name)

    def _apply_test_mode(self, meter: Meter, on: bool, time: datetime) -> None:
        if on == (meter.test is not None):
            return
        meter.test = TestRegisters(meter.config.demand) if on else None
        self._record(time, "test_mode", "test_mode", *(("off", "on") if on else ("on", "off")))
