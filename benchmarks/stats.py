"""Medians with spread, and ratios between them."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Sample:
    """Repeated measurements of one quantity, in seconds unless ``unit`` says otherwise."""

    name: str
    values: list[float] = field(default_factory=list)
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def quartiles(self) -> tuple[float, float]:
        """First and third quartile (min and max below four values)."""
        if len(self.values) < 4:
            return self.low, self.high
        q = statistics.quantiles(self.values, n=4, method="inclusive")
        return q[0], q[2]

    def to_dict(self) -> dict[str, object]:
        q1, q3 = self.quartiles()
        return {
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "q1": q1,
            "q3": q3,
            "n": len(self.values),
            "values": self.values,
        }

    def __bool__(self) -> bool:
        return bool(self.values)


def ratio(slow: Sample, fast: Sample) -> float | None:
    """How many times faster ``fast`` is than ``slow``, by medians."""
    if not slow or not fast or fast.median <= 0:
        return None
    return slow.median / fast.median


def fmt_seconds(value: float) -> str:
    """Seconds for a table: ms below one second."""
    if value < 1.0:
        return f"{value * 1000:.0f} ms" if value >= 0.01 else f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def fmt_sample(sample: Sample) -> str:
    """``median [min-max]``."""
    if not sample:
        return "n/a"
    return f"{fmt_seconds(sample.median)} [{fmt_seconds(sample.low)}-{fmt_seconds(sample.high)}]"
