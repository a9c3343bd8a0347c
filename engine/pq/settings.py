"""The power-quality settings of a meter configuration (``[power_quality]``) as the event
detectors take them."""

from __future__ import annotations

from engine.config import MeterConfig
from engine.pq.events import EventSettings
from engine.pq.rvc import RvcSettings

__all__ = ["declared_voltage", "event_settings", "rvc_settings"]


def declared_voltage(config: MeterConfig, override: float | None = None) -> float:
    """Udin [V]: ``override`` if given, else the configured declared voltage, else (0) the
    nominal voltage."""
    if override is not None:
        return override
    return config.power_quality.declared_voltage or config.nominal_voltage


def event_settings(config: MeterConfig, udin: float | None = None) -> EventSettings:
    """Dip, swell and interruption thresholds of ``config`` (Udin: ``declared_voltage``)."""
    pq = config.power_quality
    return EventSettings(
        declared_voltage(config, udin), pq.dip_pct, pq.swell_pct, pq.interruption_pct,
        pq.hysteresis_pct,
    )  # fmt: skip


def rvc_settings(config: MeterConfig) -> RvcSettings:
    """The RVC threshold of ``config``, its hysteresis half of it (IEC 61000-4-30 §5.11.2)."""
    pct = config.power_quality.rvc_pct
    return RvcSettings(pct, pct / 2)
