"""Storage: the SQLite database of the data directory (events, recorders, registers) and the
logger that fills it beside the Meter. Qt-free; standard-library ``sqlite3``.

- ``database``: open / create / check the file, the schema, the size cap;
- ``event_log``: append and read events (ms timestamps, newest first);
- ``recorders``: recorder definitions, the defaults, the interval accumulation;
- ``recorder_store``: recorder definitions and rows in the database;
- ``registers``: energy, demand and min/max saved and restored;
- ``logger``: ``MeterLogger``, which runs them on every block of a Meter;
- ``trend``: hourly / daily / weekly / monthly statistics and the forecast.
"""
