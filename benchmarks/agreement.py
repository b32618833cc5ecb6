"""Do the tools agree on the scores? Each against the expected table, and
each against the others."""

from __future__ import annotations

from dataclasses import dataclass, field

Scores = dict[str, dict[str, float]]


@dataclass
class Agreement:
    """One tool's scores compared with the expected ones."""

    tool: str
    checked: int = 0  # submissions compared
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.checked > 0

    def summary(self) -> str:
        if self.ok:
            return f"{self.tool}: all {self.checked} submissions score as expected"
        bad = len({m.split()[0] for m in self.mismatches})
        return f"{self.tool}: {bad} of {self.checked} submissions differ from the expected scores"


def compare(
    tool: str,
    expected: dict[str, dict[str, object]],
    got: Scores,
    *,
    native: bool = False,
    tolerance: float = 1e-6,
) -> Agreement:
    """Compare per-task points with ``expected`` (as written by batch.py);
    ``native`` compares with the expectation for checks run in the grader."""
    result = Agreement(tool)
    for student, row in sorted(expected.items()):
        want: dict[str, float] = row["tasks_native" if native else "tasks"]  # type: ignore[assignment]
        if student not in got:
            result.mismatches.append(f"{student} has no score (expected {sum(want.values()):g})")
            continue
        result.checked += 1
        for task, points in sorted(want.items()):
            have = got[student].get(task, 0.0)
            if abs(have - points) > tolerance:
                result.mismatches.append(
                    f"{student} task {task} ({row['kind']}): expected {points:g}, got {have:g}"
                )
    for student in sorted(set(got) - set(expected)):
        result.mismatches.append(f"{student} was graded but is not in the batch")
    return result


def pairwise(scores: dict[str, Scores], tolerance: float = 1e-6) -> list[str]:
    """Submissions and tasks where two tools disagree with each other."""
    lines = []
    tools = sorted(scores)
    for i, a in enumerate(tools):
        for b in tools[i + 1 :]:
            for student in sorted(set(scores[a]) & set(scores[b])):
                for task in sorted(set(scores[a][student]) | set(scores[b][student])):
                    x = scores[a][student].get(task, 0.0)
                    y = scores[b][student].get(task, 0.0)
                    if abs(x - y) > tolerance:
                        lines.append(f"{student} task {task}: {a} {x:g}, {b} {y:g}")
    return lines
