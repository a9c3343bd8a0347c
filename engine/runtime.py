"""Process-level tuning for the engine: small linear algebra, many short-lived temporaries."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_tuned = False
_blas_limited = False


def limit_blas_threads() -> None:
    """Run BLAS/LAPACK on one thread.

    The engine solves a 127 x 127 system per window; a multi-threaded OpenBLAS spends far more
    time waking its threads than solving (20 times slower on a 2-core machine), and the GUI
    thread needs the other core anyway.
    """
    global _blas_limited
    if not _blas_limited:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1, user_api="blas")
        _blas_limited = True


def tune_allocator() -> bool:
    """Stop glibc from handing freed heap back to the OS after every large temporary.

    Each 10/12-cycle window allocates a few dozen arrays of 50-200 kB. With glibc's default
    trimming, every one of them is returned to the kernel when freed and page-faults again on the
    next window, which made the harmonic analysis four times slower (measured in
    ``benchmarks/engine.py``). Keeping a 64 MiB pad at the top of the heap avoids that. Safe to
    call many times; returns whether the setting was applied (False off glibc).
    """
    global _tuned
    if _tuned:
        return True
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    pad = 64 * 1024 * 1024
    ok = mallopt(_M_TOP_PAD, pad) == 1 and mallopt(_M_TRIM_THRESHOLD, 2 * pad) == 1
    _tuned = bool(ok)
    return _tuned
