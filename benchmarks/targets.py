"""The targets sheetgrade is measured against, and whether a run meets them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One target: a measured key compared with a bound."""

    key: str
    label: str
    bound: float
    higher_is_better: bool  # ratios: at least; times: at most
    unit: str  # "x" or "s"

    def met(self, value: float) -> bool:
        return value >= self.bound if self.higher_is_better else value <= self.bound

    def describe(self) -> str:
        if self.unit == "x":
            return f">= {self.bound:g}x"
        if self.bound < 1:
            return f"<= {self.bound * 1000:g} ms"
        return f"<= {self.bound:g} s"


TARGETS: tuple[Target, ...] = (
    Target("ratio_nbgrader", "batch: faster than nbgrader autograde", 15, True, "x"),
    Target("ratio_otter", "batch: faster than otter grade_submission loop", 40, True, "x"),
    Target("ratio_ps1_nbgrader", "ps1 (nbgrader's own sheet): faster than nbgrader", 20, True, "x"),
    Target("ratio_one_nbgrader", "one submission: faster than nbgrader autograde", 5, True, "x"),
    Target("ratio_one_otter", "one submission: faster than otter grade_submission", 5, True, "x"),
    Target("ratio_ps1_one_nbgrader", "ps1, one submission: faster than nbgrader", 5, True, "x"),
    Target("overhead", "overhead per submission (beyond student compute)", 0.050, False, "s"),
    Target("startup", "sheetgrade --help", 0.150, False, "s"),
    Target("check", "sheetgrade check (student)", 1.5, False, "s"),
    Target("gradebook", "gradebook build + admission export, 1,000 x 12 x 8", 1.0, False, "s"),
)
