"""What the command-line commands share: the program name, JSON output, options."""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from typing import Any

from engine.config import MeterConfig, load_config, validate
from engine.errors import InputError

PROG = "ion7400-hmi"


def _json_safe(value: Any) -> Any:
    """NaN and infinities become null: JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _dump(document: dict) -> str:
    return json.dumps(_json_safe(document), indent=1, ensure_ascii=False, default=str)


def _config(args: argparse.Namespace, **overrides: Any) -> MeterConfig:
    config = load_config(args.config) if getattr(args, "config", None) else MeterConfig()
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return validate(replace(config, **given))
    except ValueError as exc:
        raise InputError(f"invalid option: {exc}") from None


def _parse_mapping(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    mapping = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--map: expected INPUT=CHANNEL pairs, got {part!r}")
        mapping[key.strip().upper()] = value.strip()
    return mapping
