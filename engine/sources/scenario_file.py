"""Scenario files: reading TOML, validating every value, writing the settings back.

Import these through ``engine.sources.scenario`` (which re-exports them). Every bad value raises
``InputError`` naming the file, the line when it can be found, and the dotted key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.errors import InputError
from engine.sources.scenario import (
    MAX_ORDER,
    MAX_PERCENT,
    MAX_RATIO,
    NOMINAL_FREQUENCIES,
    PF_SENSES,
    ROTATIONS,
    SAMPLES_PER_CYCLE_RANGE,
    SCALES,
    WIRINGS,
    CurrentSettings,
    FrequencySettings,
    Harmonic,
    Interharmonic,
    Key,
    LoadProfile,
    NeutralSettings,
    Scenario,
    Unbalance,
    VoltageSettings,
)
from engine.sources.value_reader import ValueReader, kind_of

__all__ = ["load_scenario", "scenario_from_dict", "scenario_to_dict"]

#: [s] shortest mean time between load steps (shorter would be flicker, not load steps).
MIN_STEP_INTERVAL = 0.1


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file; raises ``InputError`` (file, line, key)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(f"cannot read scenario: {exc.strerror or exc}", path) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 puts the position only in the message: "... (at line 3, column 7)".
        msg = str(exc)
        line = text.count("\n") + 1 if msg.endswith("(at end of document)") else None
        if m := re.search(r" \(at line (\d+), column (\d+)\)$", msg):
            line, msg = int(m.group(1)), f"{msg[: m.start()]} (column {m.group(2)})"
        raise InputError(f"malformed TOML: {msg}", path, line) from exc
    return _Reader(path, text).scenario(data)


def scenario_from_dict(data: Mapping[str, Any], *, path: str | Path | None = None) -> Scenario:
    """Validate a parsed mapping (the TOML shape) into a ``Scenario``; ``path`` names the origin
    in errors."""
    return _Reader(None if path is None else Path(path), None).scenario(data)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The settings in the TOML shape (None-valued settings left out), JSON-ready."""

    def plain(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items() if v is not None}
        if isinstance(x, tuple | list):
            return [plain(v) for v in x]
        return x.isoformat().replace("+00:00", "Z") if isinstance(x, datetime) else x

    out = plain(asdict(scenario))
    if scenario.current.angle is not None:  # the angle replaces the power factor
        del out["current"]["power_factor"], out["current"]["pf_sense"]
    return out


class _Reader(ValueReader):
    """Walks the parsed TOML table by table and fails with the file, line and key of the first
    bad value (the checks are ``ValueReader``'s)."""

    def scenario(self, data: Any) -> Scenario:
        top = self.table(data, (), tuple(vars(Scenario())))
        d = Scenario()
        spc = top.get("samples_per_cycle", d.samples_per_cycle)
        lo, hi = SAMPLES_PER_CYCLE_RANGE
        if isinstance(spc, bool) or not isinstance(spc, int) or not lo <= spc <= hi:
            self.fail(("samples_per_cycle",), f"must be an integer from {lo} to {hi}, got {spc!r}")
        wiring = self.choice(top.get("wiring", d.wiring), ("wiring",), WIRINGS)
        freq = self.frequency(top.get("frequency", {}))
        # Harmonics are checked against Nyquist at the start frequency (drift is the user's call).
        limits = (freq.start_frequency, spc * freq.nominal / 2)
        return Scenario(
            name=self.typed(top.get("name", d.name), ("name",), str),
            description=self.typed(top.get("description", d.description), ("description",), str),
            wiring=wiring,
            rotation=self.choice(top.get("rotation", d.rotation), ("rotation",), ROTATIONS),
            samples_per_cycle=spc,
            start=self.start(top.get("start", d.start), ("start",)),
            frequency=freq,
            voltage=self.voltage(top.get("voltage", {}), limits, wiring),
            current=self.current(top.get("current", {}), limits),
            neutral=self.neutral(top.get("neutral", {})),
            **self.scaling(top),
        )

    def scaling(self, top: Mapping[str, Any]) -> dict[str, Any]:
        """``scale`` and the PT/CT ratios [1]; a ratio is refused with "primary", where it
        would silently do nothing."""
        scale = self.choice(top.get("scale", "primary"), ("scale",), SCALES)
        num = self.numbers(top, ())
        out = {
            name: num(name, default, 0.0, MAX_RATIO, lo_open=True)
            for name, default in (("pt_ratio", 1.0), ("ct_ratio", 1.0), ("i4_ct_ratio", None))
        }
        if scale == "primary":
            for name, value in out.items():
                if value not in (None, 1.0):
                    self.fail((name,), 'applies only with scale = "secondary"')
        return {"scale": scale, **out}

    def frequency(self, value: Any) -> FrequencySettings:
        k: Key = ("frequency",)
        t = self.table(value, k, tuple(vars(FrequencySettings())))
        nominal = t.get("nominal", 50.0)
        if isinstance(nominal, bool) or nominal not in NOMINAL_FREQUENCIES:
            self.fail((*k, "nominal"), f"must be 50 or 60, got {nominal!r}")
        f, num = float(nominal), self.numbers(t, k)
        return FrequencySettings(
            nominal=f,
            actual=num("actual", None, 0.8 * f, 1.2 * f),  # beyond ±20 % no meter locks on
            drift_rate=num("drift_rate", 0.0, -f, f),
            drift_duration=num("drift_duration", None, 0.0, lo_open=True),
            swing_amplitude=num("swing_amplitude", 0.0, 0.0, 0.5 * f),
            swing_period=num("swing_period", 60.0, 0.0, lo_open=True),
        )

    def waves(self, value: Any, key: Key, limits: tuple[float, float], inter: bool) -> tuple:
        """Harmonics or interharmonics; ``limits`` = (start frequency, Nyquist frequency) [Hz]."""
        f1, nyquist = limits
        if not isinstance(value, list):
            self.fail(key, f"must be an array of tables, got {kind_of(value)}")
        out: list[Harmonic | Interharmonic] = []
        seen: set[tuple[int, str]] = set()
        for i, item in enumerate(value):
            k: Key = (*key, i)
            first = "frequency" if inter else "order"
            t = self.table(item, k, (first, "magnitude", "angle", "phases"))
            for req in (first, "magnitude"):
                if req not in t:
                    self.fail((*k, req), "missing")
            num = self.numbers(t, k)
            mag, angle = num("magnitude", None, 0.0, MAX_PERCENT), num("angle", 0.0)
            phases = self.phases(t.get("phases", "ABC"), (*k, "phases"))
            if inter:
                f = num("frequency", None, 0.0, nyquist, lo_open=True, hi_open=True)
                out.append(Interharmonic(f, mag, angle, phases))
                continue
            h = t["order"]
            if isinstance(h, bool) or not isinstance(h, int) or not 2 <= h <= MAX_ORDER:
                self.fail((*k, "order"), f"must be an integer from 2 to {MAX_ORDER}, got {h!r}")
            if h * f1 >= nyquist:
                self.fail(
                    (*k, "order"),
                    f"order {h} at {f1:g} Hz is at or above the Nyquist "
                    f"frequency {nyquist:g} Hz (raise samples_per_cycle)",
                )
            if seen & {(h, p) for p in phases}:
                self.fail((*k, "order"), f"harmonic {h} given twice for the same phase")
            seen |= {(h, p) for p in phases}
            out.append(Harmonic(h, mag, angle, phases))
        return tuple(out)

    def channel(
        self,
        t: Mapping[str, Any],
        k: Key,
        limits: tuple[float, float],
        defaults: VoltageSettings | CurrentSettings,
    ) -> dict[str, Any]:
        """The keys voltage and current share: rms [V]/[A], angle [deg], (inter)harmonics, noise."""
        angle = t.get("angle")
        harmonics = defaults.harmonics
        if "harmonics" in t:  # given, even empty, it replaces the defaults
            harmonics = self.waves(t["harmonics"], (*k, "harmonics"), limits, False)
        return dict(
            rms=self.per_phase(
                t.get("rms", defaults.rms[0]),
                (*k, "rms"),
                lambda v, kk: self.number(v, kk, 0.0, 1e7),
            ),
            angle=None if angle is None else self.per_phase(angle, (*k, "angle"), self.number),
            harmonics=harmonics,
            interharmonics=self.waves(
                t.get("interharmonics", []), (*k, "interharmonics"), limits, True
            ),
            noise=self.numbers(t, k)("noise", 0.0, 0.0, 100.0),
        )

    def voltage(self, value: Any, limits: tuple[float, float], wiring: str) -> VoltageSettings:
        k: Key = ("voltage",)
        t = self.table(value, k, tuple(vars(VoltageSettings())))
        ku: Key = (*k, "unbalance")
        num = self.numbers(self.table(t.get("unbalance", {}), ku, tuple(vars(Unbalance()))), ku)
        unb = Unbalance(
            negative=num("negative", 0.0, 0.0, 100.0),
            negative_angle=num("negative_angle", 0.0),
            zero=num("zero", 0.0, 0.0, 100.0),
            zero_angle=num("zero_angle", 0.0),
        )
        if wiring in ("1P-2W", "SPLIT-3W") and (unb.negative or unb.zero):
            self.fail(
                (*ku, "negative" if unb.negative else "zero"),
                f"sequence unbalance needs a three-phase wiring, not {wiring}",
            )
        return VoltageSettings(**self.channel(t, k, limits, VoltageSettings()), unbalance=unb)

    def current(self, value: Any, limits: tuple[float, float]) -> CurrentSettings:
        k: Key = ("current",)
        t = self.table(value, k, tuple(vars(CurrentSettings())))
        for other in ("power_factor", "pf_sense"):
            if "angle" in t and other in t:
                self.fail((*k, other), "give either angle or power_factor/pf_sense, not both")
        pf = self.per_phase(
            t.get("power_factor", 0.9),
            (*k, "power_factor"),
            lambda v, kk: self.number(v, kk, -1.0, 1.0),
        )
        channel = self.channel(t, k, limits, CurrentSettings())
        return CurrentSettings(
            **channel,
            power_factor=pf,
            pf_sense=self.per_phase(
                t.get("pf_sense", "lag"),
                (*k, "pf_sense"),
                lambda v, kk: self.choice(v, kk, PF_SENSES),
            ),
            load=self.load(t.get("load", {}), None if channel["angle"] else pf),
        )

    def load(self, value: Any, pf: tuple[float, float, float] | None) -> LoadProfile:
        """The ``current.load`` table; ``pf`` the set power factors (None: angles were given)."""
        k: Key = ("current", "load")
        t = self.table(value, k, tuple(vars(LoadProfile())))
        d, num = LoadProfile(), self.numbers(t, k)
        swing = num("swing_amplitude", d.swing_amplitude, 0.0, 100.0)
        interval = num("step_interval", d.step_interval, 0.0)
        if 0 < interval < MIN_STEP_INTERVAL:
            self.fail((*k, "step_interval"), f"must be 0 (no steps) or >= {MIN_STEP_INTERVAL:g} s")
        size = num("step_size", d.step_size, 0.0, 100.0)
        if swing + size > 100:  # the current would pass through zero and turn over
            self.fail(
                (*k, "step_size"),
                f"swing_amplitude + step_size must be <= 100 %, got {swing + size:g}",
            )
        seed = t.get("seed", d.seed)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            self.fail((*k, "seed"), f"must be an integer >= 0, got {seed!r}")
        to = t.get("pf_swing_to")
        if to is not None:
            if pf is None:
                self.fail((*k, "pf_swing_to"), "needs current.power_factor, not current.angle")
            to = self.per_phase(
                to, (*k, "pf_swing_to"), lambda v, kk: self.number(v, kk, -1.0, 1.0)
            )
            for p, (a, b) in enumerate(zip(pf, to, strict=True)):
                if a * b < 0:  # a swing that reversed the power flow would pass through zero
                    self.fail(
                        (*k, "pf_swing_to"),
                        f"phase {'ABC'[p]}: must have the sign of power_factor ({a:g}), got {b:g}",
                    )
        return LoadProfile(
            swing_amplitude=swing,
            swing_period=num("swing_period", d.swing_period, 0.0, lo_open=True),
            step_interval=interval,
            step_size=size,
            seed=seed,
            pf_swing_to=to,
            pf_swing_period=num("pf_swing_period", d.pf_swing_period, 0.0, lo_open=True),
        )

    def neutral(self, value: Any) -> NeutralSettings:
        k: Key = ("neutral",)
        t = self.table(value, k, tuple(vars(NeutralSettings())))
        d, num = NeutralSettings(), self.numbers(t, k)
        return NeutralSettings(
            current_measured=self.typed(
                t.get("current_measured", d.current_measured), (*k, "current_measured"), bool
            ),
            voltage_measured=self.typed(
                t.get("voltage_measured", d.voltage_measured), (*k, "voltage_measured"), bool
            ),
            voltage_rms=num("voltage_rms", d.voltage_rms, 0.0, 1e7),
            voltage_angle=num("voltage_angle", d.voltage_angle),
        )
