"""Goal Attainment Scaling (GAS): the Kiresuk & Sherman (1968) T-score.

Pure functions; nothing here knows about the database (reference/README.md §7).

    T = 50 + 10 · Σ(w_i·x_i) / sqrt((1 − ρ)·Σ(w_i²) + ρ·(Σ w_i)²)

where x_i is goal i's attainment level (−2…+2), w_i its weight and ρ the
assumed correlation between goals' scores (0.3 by convention). With every
goal at its expected outcome (0) the T-score is 50; the spread of T across
patients is about 10 whatever the number of goals.
"""

import math
from collections.abc import Sequence

RHO = 0.3
LEVELS = (-2, -1, 0, 1, 2)


def t_score(levels: Sequence[int], weights: Sequence[float] | None = None, *, rho: float = RHO) -> float | None:
    """The GAS T-score of goals at `levels` (equal weights unless given); None without goals."""
    if weights is None:
        weights = [1] * len(levels)
    if len(weights) != len(levels):
        raise ValueError("Give one weight per goal.")
    if any(level not in LEVELS for level in levels):
        raise ValueError("A GAS level is a whole number from -2 to +2.")
    if any(weight <= 0 for weight in weights):
        raise ValueError("A goal's weight must be positive.")
    if not 0 <= rho < 1:
        raise ValueError("The inter-goal correlation rho must be in [0, 1).")
    if not levels:
        return None
    weighted_sum = sum(w * x for w, x in zip(weights, levels, strict=True))
    denominator = math.sqrt((1 - rho) * sum(w * w for w in weights) + rho * sum(weights) ** 2)
    return 50 + 10 * weighted_sum / denominator


def signed(level: int) -> str:
    """A GAS level as people write it, with a real minus sign: −2, −1, 0, +1, +2."""
    return f"{level:+d}".replace("-", "\N{MINUS SIGN}") if level else "0"
