"""Window means between samples, and the IEC 61000-4-30 10-s frequency."""

import numpy as np
import pytest

from engine.dsp.frequency import FrequencyState, ten_second_frequency
from engine.dsp.integrate import running_integral, window_means


def test_window_mean_of_a_whole_number_of_periods_is_the_true_mean_square():
    fs, f = 6400.0, 49.37
    n = np.arange(4000)
    x = (325.0 * np.cos(2 * np.pi * f * n / fs + 0.4)) ** 2
    period = fs / f
    starts = np.array([3.3, 100.0, 517.77])
    means = window_means(x[None], starts, starts + 10 * period)
    assert np.allclose(means, 325.0**2 / 2, rtol=1e-5)  # the bound stated in dsp.integrate


def test_running_integral_handles_repeated_and_fractional_positions():
    x = np.arange(10.0)[None]
    total = running_integral(x, np.array([-0.5, 2.5, 2.5, 9.5]))
    assert total[0].tolist() == pytest.approx([0.0, 3.0, 3.0, 45.0])
    assert running_integral(x, np.array([0.0, 1.0]))[0, 1] == pytest.approx(0.5 * 0 + 0.5 * 1)
    with pytest.raises(ValueError):
        running_integral(x, np.array([0.0, 11.0]))


def test_ten_second_frequency_counts_cycles_ending_in_each_interval():
    fs, f = 1000.0, 50.5
    rising = np.arange(0, 25 * fs, fs / f) + 123.4  # crossings over 25 s
    state = FrequencyState(tick=10 * fs)
    done, state = ten_second_frequency(rising[:700], state, fs, 10 * fs, upto=rising[699])
    more, state = ten_second_frequency(rising[700:], state, fs, 10 * fs, upto=25 * fs)
    ticks = done + more
    assert [t for t, _ in ticks] == [10 * fs, 20 * fs]
    assert all(v == pytest.approx(f, abs=1e-9) for _, v in ticks)
