"""Unplugging the board turns the status LED red (no data), and it goes green again by itself
when the board is back: the serial source reconnects, the meter publishes again."""

from __future__ import annotations

import threading
import time

from board_pty import board_on_pty

from engine.meter import Meter
from engine.sources.board.link import parse_serial_spec
from engine.sources.board.simulator import BoardSimulator, Faults
from engine.sources.scenario import scenario_from_dict
from engine.sources.serial_board import SerialSource
from hmi.leds import STALE_AFTER, StatusLed


def test_status_led_follows_the_board_link(tmp_path):
    down = STALE_AFTER + 0.7  # [s] unplugged for longer than the LED waits
    faults = Faults(rate=1.0, kinds=("disconnect",), window=(100, 101), down_seconds=down)
    board = BoardSimulator(scenario_from_dict({"samples_per_cycle": 64}), faults=faults)
    with board_on_pty(tmp_path, board, speed=1.0) as pty:  # real time: 1 s until the unplug
        source = SerialSource(parse_serial_spec(str(pty.path)), backoff=(0.05, 0.1))
        meter, stop = Meter(), threading.Event()
        worker = threading.Thread(
            target=meter.run, args=(source,), kwargs={"paced": False, "stop": stop}, daemon=True
        )
        worker.start()
        led, seen, states = StatusLed(time.monotonic()), [], []
        # Watch until the LED is green again after red, or give up well after the board is back
        # (a loaded machine may take a while to reconnect: no fixed deadline to race).
        t_end = time.monotonic() + 1.0 + down + 10.0
        try:
            while time.monotonic() < t_end and seen[-2:] != ["red", "green"]:
                now = time.monotonic()
                led.update(meter.snapshot, now)
                if not seen or seen[-1] != led.colour(now):
                    seen.append(led.colour(now))
                states.append(source.link.state)
                time.sleep(0.05)
        finally:
            stop.set()
            source.close()
            worker.join(5)
    assert seen == [None, "green", "red", "green"]
    assert "no link" in states and states[-1] == "streaming"
    assert source.link.reconnects == 1
