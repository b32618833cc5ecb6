"""The late policy: which share of a sheet's points a late submission loses."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from sheetgrade.course.config import LatePolicy

DAY = 86400.0


def late_days(late_seconds: float, policy: LatePolicy) -> int:
    """Started days late after the grace period (0 when on time or within grace)."""
    grace = policy.grace.total_seconds()
    if late_seconds <= grace:
        return 0
    return max(1, math.ceil((late_seconds - grace) / DAY))


def penalty_fraction(late_seconds: float, policy: LatePolicy) -> float:
    """The share of the points taken off for a submission ``late_seconds`` late.

    ``none``: 0. ``zero``: everything once late beyond the grace period.
    ``per_day``: ``per_day`` for each started day after the grace period, up to
    all of it; past ``max_days`` (when set) everything.
    """
    days = late_days(late_seconds, policy)
    if days == 0 or policy.kind == "none":
        return 0.0
    if policy.kind == "zero" or (policy.max_days and days > policy.max_days):
        return 1.0
    return min(1.0, days * policy.per_day)


def penalty_fractions(late_seconds: pd.Series, policy: LatePolicy) -> np.ndarray:
    """:func:`penalty_fraction` for a whole column at once (NaN: no submission, no penalty)."""
    import numpy as np

    late = late_seconds.fillna(0.0).to_numpy(dtype=float)
    grace = policy.grace.total_seconds()
    days = np.where(late > grace, np.maximum(1.0, np.ceil((late - grace) / DAY)), 0.0)
    if policy.kind == "none":
        return np.zeros_like(late)
    if policy.kind == "zero":
        return (days > 0).astype(float)
    fraction = np.minimum(1.0, days * policy.per_day)
    if policy.max_days:
        fraction = np.where(days > policy.max_days, 1.0, fraction)
    return fraction


def describe(late_seconds: float, policy: LatePolicy) -> str:
    """A sentence for feedback: how late, and what it cost."""
    days = late_days(late_seconds, policy)
    if late_seconds <= 0:
        return "on time"
    if days == 0:
        return "within the grace period; no penalty"
    fraction = penalty_fraction(late_seconds, policy)
    hours = late_seconds / 3600
    when = f"{hours:.1f} h late" if hours < 48 else f"{hours / 24:.1f} days late"
    if fraction == 0:
        return f"{when}; no penalty under this course's late policy"
    return f"{when} ({days} started day{'s' if days != 1 else ''}): {fraction:.0%} of the points deducted"
