"""The emulator logs by default into its data directory (engine.storage), and runs without
logging when the database cannot be used."""

from __future__ import annotations

from engine.storage.database import DB_NAME, Database
from engine.storage.event_log import query_events
from hmi.app import run_window


def test_the_window_logs_a_power_cycle_and_the_registers(qapp, qtbot, tmp_path):
    shot = tmp_path / "shot.png"
    assert run_window("sim", scale=1, screenshot=shot, data_dir=tmp_path) == 0
    db = Database.in_dir(tmp_path)
    power = [(e.what, e.new) for e in query_events(db.conn, kinds=["power"])]
    assert power == [("power_down", "clean"), ("power_up", None)]
    saved = db.conn.execute("SELECT COUNT(*) FROM state WHERE key='registers'").fetchone()[0]
    assert saved == 1


def test_an_unusable_database_leaves_the_meter_running(qapp, qtbot, tmp_path, capsys):
    (tmp_path / DB_NAME).mkdir()  # a directory where the database file should be
    assert run_window("sim", scale=1, screenshot=tmp_path / "s.png", data_dir=tmp_path) == 0
    assert "logging is off" in capsys.readouterr().err
