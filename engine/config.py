"""Meter configuration: the settings of the Setup menus, as frozen dataclasses.

Everything the front panel's Setup menus edit lives here: wiring, instrument transformers,
nominal values, demand, energy pulsing, display, nameplate, communications, clock, password and
the revenue lock. ``RULES`` says what each setting accepts (``allowed(key)`` as text for the
editors) and ``validate`` checks a whole configuration against it, raising a ``ValueError`` that
names the setting (``display.contrast: must be a whole number from 0 to 100 %, got 150``).

The configuration file (TOML, one table per section, see docs/configuration.md) is handled in
``engine.config_file`` and the old -> new changes for the event log in ``engine.config_changes``;
both are importable from here.

The settings are defined in ``engine.config_model`` and what they accept (``RULES``,
``allowed``, ``validate``) in ``engine.config_rules``; this module gathers them under one name.
"""

from __future__ import annotations

from engine.config_changes import PASSWORD_MASK, Change, diff_configs
from engine.config_file import (
    default_config_path,
    default_data_dir,
    load_config,
    load_or_default,
    save_config,
)
from engine.config_model import (  # the value sets not in __all__ stay importable from here
    ADJUST_LIMIT,
    BAUD_RATES,  # noqa: F401
    CHANNELS,
    CONFIG_VERSION,
    LANGUAGES,
    PROTOCOLS,  # noqa: F401
    PULSE_SOURCES,  # noqa: F401
    SECTIONS,
    SERIAL_FORMATS,  # noqa: F401
    WIRINGS,
    BoardCalibration,
    ChannelCorrection,
    ClockSettings,
    CommsSettings,
    DisplaySettings,
    MeterConfig,
    Nameplate,
    PowerQualitySettings,
    RevenueLock,
    SecuritySettings,
)
from engine.config_rules import RULES, Rule, allowed, validate

__all__ = [
    "ADJUST_LIMIT", "CHANNELS", "CONFIG_VERSION", "LANGUAGES", "PASSWORD_MASK", "RULES",
    "SECTIONS", "WIRINGS",
    "BoardCalibration", "Change", "ChannelCorrection", "ClockSettings", "CommsSettings",
    "DisplaySettings",
    "MeterConfig", "Nameplate", "PowerQualitySettings", "RevenueLock", "Rule",
    "SecuritySettings", "allowed",
    "default_config_path", "default_data_dir", "diff_configs", "load_config", "load_or_default",
    "save_config", "validate",
]  # fmt: skip
