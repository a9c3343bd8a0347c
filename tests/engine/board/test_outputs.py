"""The KY output follows the energy pulser's count."""

from engine.sources.board.outputs import MAX_PULSES_PER_COMMAND, KyFollower


def test_ky_follower_sends_each_pulse_once_and_survives_a_reset():
    ky = KyFollower()
    assert ky.due(5) == 0  # the first reading only sets the start
    assert [ky.due(t) for t in (5, 7, 7, 10)] == [0, 2, 0, 3]
    assert ky.due(1) == 0  # the pulser was rebuilt (new kt): start over from its count
    assert ky.due(4) == 3
    assert ky.due(4 + 70000) == MAX_PULSES_PER_COMMAND  # the rest follows next time
    assert ky.due(4 + 70000) == 70000 - MAX_PULSES_PER_COMMAND
