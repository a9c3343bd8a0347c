"""IEC 61000-4-15:2010 flickermeter against the standard's verification tables.

Tables 1, 2 (ΔV/V giving Pinst,max = 1) and 5 (rectangular changes giving Pst = 1) for the four
lamp/system combinations of Ed. 2, as transcribed by M. Šíra (CMI) in qwtb
``qwtb/alg_flicker_sim/verify_flicker_sim.m`` (github.com/qwtb/qwtb, commit 27ac0c79; the
230 V / 50 Hz columns also in ../shared/reference/power-quality.md §1.2-1.3). Test signal (§1.1):
u(t) = √2·U·sin(2π·f·t)·(1 + ΔV/V / 2 · m(t)), m = sin or sign(sin) of 2π·f_m·t, cpm = 120·f_m.
Signals are made at 32 samples a cycle, the lowest rate the flickermeter accepts; rectangular
ones are made at 4× that and decimated through an anti-alias filter (resample_poly), as a
meter's input filter would: sampled raw, their edges alias into the flicker band.
Required: Pst within ±5 % (Table 5), Pinst,max within ±8 % (Tables 1/2, the Ed. 2 limit used by
qwtb). Asserted: ±2 % everywhere (the design aim).
"""

import numpy as np
import pytest
from scipy import signal

from engine.dsp import flicker_stats as fst
from engine.dsp.flicker import design, flicker_init, flicker_step

AIM = 0.02
COMBOS = [("230V", 50.0), ("230V", 60.0), ("120V", 50.0), ("120V", 60.0)]


def _hz(*parts):
    return np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in parts])


_F1 = _hz(np.arange(0.5, 8.01, 0.5), 8.8, np.arange(9.5, 12.01, 0.5), np.arange(13, 26), 100 / 3)
_F2 = _hz(
    np.arange(0.5, 8.01, 0.5), 8.8, np.arange(9.5, 12.01, 0.5), np.arange(13, 22), 21.5,
    np.arange(22, 26), 25.5, 28, 30.5, 100 / 3,
)  # fmt: skip
_T1_230 = (  # rows 0.5 ... 18 Hz
    "2.325 1.397 1.067 0.879 0.747 0.645 0.564 0.497 0.442 0.396 0.357 0.325 0.3 0.280 0.265 "
    "0.256 0.250 0.254 0.261 0.271 0.283 0.298 0.314 0.351 0.393 0.438 0.486 0.537 0.590 "
)
_T1_120 = (  # rows 0.5 ... 19 Hz
    "2.453 1.465 1.126 0.942 0.815 0.717 0.637 0.570 0.514 0.466 0.426 0.393 0.366 0.346 0.332 "
    "0.323 0.321 0.329 0.341 0.355 0.373 0.394 0.417 0.469 0.528 0.592 0.660 0.734 0.811 0.892 "
)
# f_m [Hz], ΔV/V [%] per combination; 60 Hz tables go on to 40 Hz (Table 1) / 37, 40 Hz (2).
TABLE1 = {
    ("230V", 50.0): (_F1, _T1_230 + "0.646 0.704 0.764 0.828 0.894 0.964 1.037 2.128"),
    ("230V", 60.0): (_hz(_F1, 40), _T1_230 + "0.645 0.703 0.764 0.826 0.892 0.959 1.029 1.758 "
        "2.963"),
    ("120V", 50.0): (_F1, _T1_120 + "0.978 1.068 1.162 1.261 1.365 1.476 3.111"),
    ("120V", 60.0): (_hz(_F1, 40), _T1_120 + "0.977 1.067 1.160 1.257 1.359 1.464 2.570 4.393"),
}  # fmt: skip
TABLE2 = {
    ("230V", 50.0): (_F2, "0.509 0.467 0.429 0.398 0.370 0.352 0.342 0.332 0.312 0.291 0.268 "
        "0.248 0.231 0.216 0.207 0.199 0.196 0.199 0.203 0.212 0.222 0.233 0.245 0.272 0.308 "
        "0.341 0.376 0.411 0.446 0.497 0.553 0.585 0.592 0.612 0.680 0.743 0.764 0.806 0.915 "
        "0.847 1.671"),
    ("230V", 60.0): (_hz(_F2, 37, 40), "0.510 0.468 0.429 0.399 0.371 0.351 0.342 0.331 0.313 "
        "0.291 0.269 0.249 0.231 0.217 0.206 0.200 0.196 0.199 0.203 0.212 0.222 0.233 0.244 "
        "0.275 0.306 0.338 0.376 0.420 0.457 0.498 0.537 0.584 0.600 0.611 0.678 0.753 0.778 "
        "0.768 0.962 1.105 1.258 0.975 2.327"),
    ("120V", 50.0): (_F2, "0.597 0.547 0.503 0.468 0.438 0.420 0.408 0.394 0.372 0.348 0.323 "
        "0.302 0.283 0.269 0.259 0.253 0.252 0.258 0.265 0.278 0.293 0.308 0.325 0.363 0.413 "
        "0.460 0.511 0.562 0.611 0.683 0.768 0.811 0.820 0.852 0.957 1.052 1.087 1.148 1.303 "
        "1.144 2.443"),
    ("120V", 60.0): (_hz(_F2, 37, 40), "0.598 0.548 0.503 0.469 0.439 0.419 0.408 0.394 0.373 "
        "0.348 0.324 0.302 0.283 0.269 0.258 0.253 0.252 0.258 0.266 0.278 0.292 0.308 0.324 "
        "0.367 0.411 0.457 0.509 0.575 0.626 0.688 0.746 0.815 0.837 0.851 0.946 1.067 1.088 "
        "1.072 1.383 1.602 1.823 1.304 3.451"),
}  # fmt: skip
# Table 5: changes per minute, ΔV/V [%]; the last row is 4000 cpm at 50 Hz, 4800 cpm at 60 Hz.
TABLE5 = {
    ("230V", 50.0): "2.715 2.191 1.450 0.894 0.722 0.407 2.343",
    ("230V", 60.0): "2.719 2.194 1.450 0.895 0.723 0.409 3.263",
    ("120V", 50.0): "3.178 2.561 1.694 1.045 0.844 0.545 3.426",
    ("120V", 60.0): "3.181 2.564 1.694 1.040 0.844 0.548 4.837",
}


def _values(text):
    return np.array(text.split(), dtype=float)


def _cpm5(f_line):
    return np.array([1, 2, 7, 39, 110, 1620, 4000 if f_line == 50 else 4800], dtype=float)


def waveform(f_line, fs, f_m, dvv, first, n, rect, over=4, pad=16):
    """Samples first..first+n of the test signal, one row per (f_m [Hz], ΔV/V [%]) pair."""
    f_m, depth = np.asarray(f_m)[:, None], np.asarray(dvv)[:, None] / 200.0
    if not rect:
        t = np.arange(first, first + n) / fs
        m = np.sin(2 * np.pi * f_m * t)
        return np.sqrt(2) * 230 * np.sin(2 * np.pi * f_line * t) * (1 + depth * m)
    t = np.arange((first - pad) * over, (first + n + pad) * over) / (fs * over)
    m = 1.0 - 2.0 * (np.floor(2 * f_m * t) % 2)
    u = np.sqrt(2) * 230 * np.sin(2 * np.pi * f_line * t) * (1 + depth * m)
    return signal.resample_poly(u, 1, over, axis=1)[:, pad : pad + n]


def pinst_max(lamp, f_line, f_m, dvv, rect, seconds=20.0, last=10.0):
    fs = 32 * f_line
    n = int(seconds * fs)
    state = flicker_init(fs, f_line, lamp, channels=len(f_m))
    p, pos, _ = flicker_step(waveform(f_line, fs, f_m, dvv, 0, n, rect), fs, state)
    return np.nanmax(p[:, pos >= n - last * fs], axis=1)


@pytest.mark.parametrize(("lamp", "f_line"), COMBOS)
@pytest.mark.parametrize("table", ["1", "2"])
def test_tables_1_and_2_give_pinst_max_of_one(table, lamp, f_line):
    f_m, dvv = (TABLE1 if table == "1" else TABLE2)[(lamp, f_line)]
    dvv = _values(dvv)
    assert len(f_m) == len(dvv)
    got = pinst_max(lamp, f_line, f_m, dvv, rect=table == "2")
    worst = np.argmax(np.abs(got - 1))
    assert abs(got[worst] - 1) <= AIM, f"{f_m[worst]:.2f} Hz: Pinst,max {got[worst]:.4f}"


@pytest.mark.parametrize(("lamp", "f_line"), COMBOS)
def test_table_5_rectangular_changes_give_pst_of_one(lamp, f_line):
    """Every row as its own channel, streamed in 10-s blocks; Pst over 600 s from t = 5 s."""
    fs, cpm, dvv = 32 * f_line, _cpm5(f_line), _values(TABLE5[(lamp, f_line)])
    state = flicker_init(fs, f_line, lamp, channels=len(cpm), settle=5.0)
    step = state.design.box * state.design.step
    pst_state = fst.pst_init(start=5 * fs, interval=600 * fs)
    done, block, total = [], int(10 * fs), int(606 * fs)
    for first in range(0, total, block):
        u = waveform(f_line, fs, cpm / 120, dvv, first, min(block, total - first), rect=True)
        p, pos, state = flicker_step(u, fs, state)
        closed, pst_state = fst.pst_step(p, pos, step, pst_state)
        done += closed
    end, pst, coverage = done[0]
    assert end == 605 * fs
    assert np.all(coverage == 1.0)
    worst = np.argmax(np.abs(pst - 1))
    assert abs(pst[worst] - 1) <= AIM, f"{cpm[worst]:g} cpm: Pst {pst[worst]:.4f}"


def test_block_4_scale_matches_the_published_constant():
    # 1 238 400 for a carrier of peak 1 (Gerber), i.e. 309 600 for rms 1 (pqopen: 309 602).
    for f_line in (50.0, 60.0):
        assert design(32 * f_line, f_line).gain == pytest.approx(1238400 / 4, rel=5e-4)


@pytest.mark.parametrize(("lamp", "f_line"), COMBOS)
def test_weighting_chain_follows_the_analogue_definition(lamp, f_line):
    """Block 3 (high-pass, Butterworth, F(s) with the reference's Hz parameters) within 0.5 %
    over the tables' range of f_m."""
    k, lam, f1, f2, f3, f4 = {
        "230V": (1.74802, 4.05981, 9.15494, 2.27979, 1.22535, 21.9),
        "120V": (1.6357, 4.167375, 9.077169, 2.939902, 1.394468, 17.31512),
    }[lamp]
    f = np.array([0.5, 1, 2, 5, 8.8, 13, 20, 25, 30, 100 / 3, 40][: 10 if f_line == 50 else 11])
    s = 2j * np.pi * f
    w = [2 * np.pi * v for v in (lam, f1, f2, f3, f4)]
    lamp_f = k * w[1] * s / (s**2 + 2 * w[0] * s + w[1] ** 2) * (1 + s / w[2])
    lamp_f /= (1 + s / w[3]) * (1 + s / w[4])
    fc = {50.0: 35.0, 60.0: 42.0}[f_line]
    butter = 1 / np.sqrt(1 + (f / fc) ** 12)
    truth = np.abs(lamp_f * s / (s + 2 * np.pi * 0.05)) * butter
    d = design(32 * f_line, f_line, lamp)
    _, h_w = signal.sosfreqz(d.weighting, f, fs=d.output_rate)
    _, h_lp = signal.sosfreqz(d.lowpass, f, fs=d.sample_rate / d.box)
    assert np.abs(h_w * h_lp) == pytest.approx(truth, rel=5e-3)


@pytest.mark.parametrize("fs", [1600.0, 3200.0, 12800.0, 25600.0, 10000.0, 4500.0])
def test_any_rate_from_32_samples_a_cycle_gives_the_8_8_hz_threshold(fs):
    """Table 1 calibration row (8.8 Hz, 0.25 %): Pinst,max = 1 at every rate, in short blocks."""
    n = int(16 * fs)
    u = waveform(50.0, fs, [8.8], [0.25], 0, n, rect=False)
    state = flicker_init(fs, 50.0, channels=1)
    parts = []
    for chunk in np.array_split(u, 37, axis=1):
        p, pos, state = flicker_step(chunk, fs, state)
        parts.append(p[:, pos >= 8 * fs])
    assert np.nanmax(np.concatenate(parts, axis=1)) == pytest.approx(1.0, abs=0.01)


def test_streaming_in_odd_blocks_equals_one_call():
    fs = 3000.0  # box 2, step 2: blocks split boxes and decimation phases
    u = waveform(50.0, fs, [3.0, 13.0, 8.8], [0.5, 0.4, 0.25], 0, int(12 * fs), rect=False)
    whole, pos_whole, _ = flicker_step(u, fs, flicker_init(fs, 50.0, settle=1.0))
    rng = np.random.default_rng(7)
    cuts = np.sort(rng.choice(np.arange(30, u.shape[1]), size=300, replace=False))
    cuts = np.concatenate([[7, 19], cuts])  # the first cycle (60 samples) arrives in pieces
    state, parts, pos = flicker_init(fs, 50.0, settle=1.0), [], []
    for chunk in np.split(u, cuts, axis=1):  # many blocks shorter than one cycle or one box
        p, q, state = flicker_step(chunk, fs, state)
        parts.append(p)
        pos.append(q)
    assert np.array_equal(np.concatenate(pos), pos_whole)
    np.testing.assert_allclose(np.concatenate(parts, axis=1), whole, rtol=1e-9, equal_nan=True)


def test_steady_supply_settles_and_dead_channel_is_nan():
    fs = 1600.0
    u = waveform(50.0, fs, [1.0, 1.0], [0.0, 0.0], 0, int(10 * fs), rect=False)
    u[1] = 0.0
    p, pos, _ = flicker_step(u, fs, flicker_init(fs, 50.0, channels=2))
    assert np.all(np.isnan(p[:, pos < 5 * fs]))
    assert np.nanmax(p[0, pos >= 5 * fs]) < 1e-3  # no flicker: only the 2·f ripple left
    assert np.all(np.isnan(p[1]))


def test_pst_formula_on_known_distributions():
    # Constant Pinst c: every percentile is c, Pst = √(c · Σ weights).
    c = 2.5
    assert fst.pst(np.full((1, 60000), c))[0] == pytest.approx(np.sqrt(0.5096 * c), rel=5e-4)
    # Pinst uniform on (0, 1]: P_x = 1 - x/100.
    ramp = np.linspace(1.0, 0.0, 600001)[:-1][None]
    px = {x: 1 - x / 100 for x in (0.1, 0.7, 1, 1.5, 2.2, 3, 4, 6, 8, 10, 13, 17, 30, 50, 80)}
    expect = np.sqrt(
        0.0314 * px[0.1]
        + 0.0525 * np.mean([px[0.7], px[1], px[1.5]])
        + 0.0657 * np.mean([px[2.2], px[3], px[4]])
        + 0.28 * np.mean([px[6], px[8], px[10], px[13], px[17]])
        + 0.08 * np.mean([px[30], px[50], px[80]])
    )
    assert fst.pst(ramp)[0] == pytest.approx(expect, rel=5e-4)
    assert np.isnan(fst.pst(np.full((1, 10), np.nan))[0])


def test_plt_is_the_cube_root_of_the_mean_cube():
    pst = np.ones((12, 3))
    pst[4, 1] = 2.0
    assert fst.plt(pst) == pytest.approx([1.0, np.cbrt(19 / 12), 1.0])


def test_pst_intervals_follow_the_clock_and_report_coverage():
    step, interval = 10, 6000.0  # one Pinst per 10 samples, 600 values an interval
    pos = np.arange(2500, 20000, step) + step - 1
    state = fst.pst_init(start=0.0, interval=interval)
    done, state = fst.pst_step(np.ones((2, pos.size)), pos, step, state)
    assert [end for end, _, _ in done] == [6000.0, 12000.0, 18000.0]
    assert done[0][2] == pytest.approx([3500 / 6000] * 2)  # stream started mid-interval
    assert done[1][2] == pytest.approx([1.0, 1.0])
    assert state.start == 18000.0


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="50 or 60"):
        flicker_init(12800.0, 400.0)
    with pytest.raises(ValueError, match="lamp"):
        flicker_init(12800.0, 50.0, lamp="240V")
    with pytest.raises(ValueError, match="32 samples"):
        flicker_init(1200.0, 50.0)
    state = flicker_init(1600.0, 50.0)
    with pytest.raises(ValueError, match="shape"):
        flicker_step(np.zeros((2, 100)), 1600.0, state)
    with pytest.raises(ValueError, match="1600"):
        flicker_step(np.zeros((3, 100)), 3200.0, state)
    with pytest.raises(ValueError, match="finite"):
        flicker_step(np.full((3, 100), np.nan), 1600.0, state)
    with pytest.raises(ValueError, match="interval"):
        fst.pst_init(0.0, 0.0)
