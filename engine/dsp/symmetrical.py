"""Symmetrical components (Fortescue) and unbalance per IEC 61000-4-30 §5.7.1."""

from __future__ import annotations

import numpy as np

#: The operator a = 1∠120°.
A_OP = np.exp(2j * np.pi / 3)


def sequence_components(a, b, c):
    """Zero, positive and negative sequence phasors of three phase phasors [V or A].

    Works on complex scalars or arrays alike.

    U0 = (Ua + Ub + Uc)/3, U1 = (Ua + a·Ub + a²·Uc)/3, U2 = (Ua + a²·Ub + a·Uc)/3.
    """
    zero = (a + b + c) / 3
    pos = (a + A_OP * b + A_OP**2 * c) / 3
    neg = (a + A_OP**2 * b + A_OP * c) / 3
    return zero, pos, neg


def unbalance(zero, pos, neg) -> tuple[np.ndarray, np.ndarray]:
    """Negative- and zero-sequence unbalance u2, u0 [%] = |U2|/|U1|·100, |U0|/|U1|·100.

    IEC 61000-4-30 §5.7.1 (fundamental components). NaN where there is no positive sequence.
    """
    p = np.abs(pos)
    with np.errstate(divide="ignore", invalid="ignore"):
        u2 = np.where(p > 0, 100.0 * np.abs(neg) / p, np.nan)
        u0 = np.where(p > 0, 100.0 * np.abs(zero) / p, np.nan)
    return u2, u0
