"""Alarms (issue 7): definitions, the pickup/dropout state machine, acknowledgement, the
default set, the ``[[alarms]]`` configuration and the glue to the Meter. Qt-free.

Modules: ``definitions`` (what an alarm is), ``evaluate`` (timing), ``book`` (occurrences,
active/ended × acknowledged, the LED/bell summary), ``engine`` (every alarm per block, boolean
levels after their inputs), ``defaults``, ``config`` (TOML tables), ``outputs`` (relays),
``meter_link`` (what the Meter calls each block).
"""
