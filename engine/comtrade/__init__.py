"""COMTRADE (IEEE C37.111-1991/1999/2013, IEC 60255-24) reading and writing.

``read_comtrade(path)`` opens a .cfg/.dat set or a .cff into a ``Recording``;
``write_comtrade(...)`` writes one in the 1999 or 2013 revision, in any data format.
"""

from engine.comtrade.cff import CffSections, build_cff, read_cff, split_cff
from engine.comtrade.config import (
    FILE_TYPES,
    AnalogChannel,
    ComtradeConfig,
    DigitalChannel,
    parse_cfg,
    parse_offset,
    read_cfg,
    to_utc,
)
from engine.comtrade.data import Recording, parse_dat, sample_times
from engine.comtrade.reader import find_beside, read_comtrade
from engine.comtrade.writer import ChannelSpec, choose_scaling, format_cfg, write_comtrade

__all__ = [
    "FILE_TYPES",
    "AnalogChannel",
    "CffSections",
    "ChannelSpec",
    "ComtradeConfig",
    "DigitalChannel",
    "Recording",
    "build_cff",
    "choose_scaling",
    "find_beside",
    "format_cfg",
    "parse_cfg",
    "parse_dat",
    "parse_offset",
    "read_cff",
    "read_cfg",
    "read_comtrade",
    "sample_times",
    "split_cff",
    "to_utc",
    "write_comtrade",
]
