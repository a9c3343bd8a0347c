"""Metering: energy registers, demand and min/max — small Qt-free state classes.

The Meter calls them once per measurement interval (~200 ms: 10 cycles at 50 Hz, 12 at 60 Hz)
with the interval's end time (UTC-aware), its duration [s] and the interval's total P [W],
Q [var], S [VA] and average current [A]. Each keeps its state explicitly and offers
``to_dict`` / ``from_dict`` (JSON-ready) for persistence.
"""

from engine.metering.demand import Demand, DemandSet, DemandSettings
from engine.metering.energy import EnergyRegisters, PulseCounter
from engine.metering.minmax import MinMaxTracker

__all__ = [
    "Demand",
    "DemandSet",
    "DemandSettings",
    "EnergyRegisters",
    "MinMaxTracker",
    "PulseCounter",
]
