"""Zero crossings of the reference channel, streamed in blocks of any size."""

import numpy as np
import pytest

from engine.dsp import crossings as zc

FS = 6400.0


def stream(x: np.ndarray, sizes, *, level: float, step: int = 1):
    sos = zc.design_lowpass(FS / step, 50.0)
    state = zc.initial_state(sos)
    pos, dirs = [], []
    start = 0
    for n in sizes:
        p, d, state = zc.find_crossings(x[start : start + n], sos, state, 32.0, level, step)
        pos += p.tolist()
        dirs += d.tolist()
        start += n
    return np.array(pos), np.array(dirs)


@pytest.mark.parametrize("step", [1, 2])
def test_no_crossing_is_lost_at_block_edges(step):
    f = 49.8
    t = np.arange(int(3 * FS)) / FS
    x = 325.0 * np.sin(2 * np.pi * f * t) + 0.3 * np.random.default_rng(1).normal(size=t.size)
    whole, _ = stream(x, [x.size], level=16.0, step=step)
    rng = np.random.default_rng(7)
    sizes = rng.integers(0, 400, size=x.size // 100)  # empty blocks included
    sizes = sizes[np.cumsum(sizes) < x.size]
    sizes = np.append(sizes, x.size - sizes.sum())
    pieces, dirs = stream(x, sizes, level=16.0, step=step)
    assert len(pieces) == len(whole) == pytest.approx(2 * f * 3, abs=2)
    assert np.allclose(pieces, whole)
    assert np.all(np.diff(dirs) != 0)  # rising and falling alternate
    rising = pieces[dirs > 0]
    assert np.allclose(np.diff(rising), FS / f, atol=0.05)  # noise moves crossings a little


def test_blocks_cut_just_after_every_crossing():
    """Each block starts one sample after a crossing: the half cycle spans two blocks."""
    f = 50.0
    t = np.arange(int(2 * FS)) / FS
    x = 325.0 * np.sin(2 * np.pi * f * t + 0.1)
    whole, _ = stream(x, [x.size], level=16.0)
    edges = np.ceil(whole).astype(int) + 1
    sizes = np.diff(np.concatenate(([0], edges, [x.size])))
    pieces, _ = stream(x, sizes[sizes > 0], level=16.0)
    assert np.allclose(pieces, whole)


def test_noise_alone_gives_no_crossings_after_the_first():
    x = 2.0 * np.random.default_rng(3).normal(size=int(FS))
    pos, _ = stream(x, [x.size], level=16.0)
    assert len(pos) <= 1
