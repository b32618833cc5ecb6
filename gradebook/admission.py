"""Admission to the exam: the rules of course.yml, applied to every student, explained in words.

Rules (all must hold, unless the student's admission is carried over):

- ``share`` of all points (bonus sheets add points, not maximum; excused sheets
  leave the denominator);
- per block, ``blocks[].share`` of the block's points;
- ``min_attempted`` sheets attempted: a sheet is attempted at ``attempted_share``
  of its points, or with any submission or mark when that is 0 (excused sheets
  count as attempted);
- ``min_presentations`` presentations at the board.

Status: ``admitted``; ``not_yet`` (the sheets still to come can make up for it);
``cannot_reach`` (they cannot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from sheetgrade.course.config import AdmissionRule, BlockRule

EPS = 1e-9
STATUSES = ("admitted", "not_yet", "cannot_reach")
STATUS_TEXT = {
    "admitted": "admitted",
    "not_yet": "not yet",
    "cannot_reach": "cannot reach admission",
}


def fmt_points(x: float) -> str:
    """``14.5``, ``48``: points with at most two decimals and no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_percent(x: float) -> str:
    """``61.5``, ``50``: a percentage with one decimal at most."""
    text = f"{x:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def fmt_share(share: float) -> str:
    """``50 %`` for 0.5."""
    return f"{fmt_points(share * 100)} %"


def sheet_range(labels: list[str]) -> str:
    """``sheet 09``, ``sheets 09–12`` (consecutive numbers) or ``sheets 09, 11``."""
    if not labels:
        return "no sheets"
    if len(labels) == 1:
        return f"sheet {labels[0]}"
    try:
        numbers = [int(x) for x in labels]
    except ValueError:
        numbers = []
    if numbers and numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return f"sheets {labels[0]}–{labels[-1]}"
    return "sheets " + ", ".join(labels)


def evaluate(
    rule: AdmissionRule,
    *,
    students: pd.DataFrame,
    sheets: pd.DataFrame,
    per_sheet: pd.DataFrame,
    presentations: pd.Series,
) -> pd.DataFrame:
    """The ``overall`` frame: points, max, percent, attempted, status and explanation per student."""
    import numpy as np
    import pandas as pd

    ps = per_sheet
    by_student = {"level": "student_id", "sort": False}
    open_ = ps["remaining"] & ~ps["excused"]
    gain = (ps["possible"] - ps["total"]).clip(lower=0.0).where(open_, 0.0)
    attempted_flags = _attempted(rule, ps)
    index = students.index
    out = pd.DataFrame(index=index)
    out["points"] = ps["total"].groupby(**by_student).sum().reindex(index).round(4)
    out["max"] = ps["max"].groupby(**by_student).sum().reindex(index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["percent"] = np.where(out["max"] > 0, out["points"] / out["max"] * 100, 0.0)
    out["needed"] = (rule.share * out["max"] - out["points"]).clip(lower=0.0).round(4)
    out["available"] = gain.groupby(**by_student).sum().reindex(index).round(4)
    out["attempted"] = attempted_flags.groupby(**by_student).sum().astype(int).reindex(index)
    out["presentations"] = presentations.reindex(index, fill_value=0).astype(int)
    can_attempt = (open_ & ~attempted_flags).groupby(**by_student).sum().astype(int)

    remaining_labels = {
        sid: label for sid, label in sheets["label"].items() if sheets.at[sid, "remaining"]
    }
    open_by_student: dict[str, list[str]] = {}
    if remaining_labels:
        for student_id, sheet_id in ps.index[open_.to_numpy()]:
            open_by_student.setdefault(student_id, []).append(remaining_labels[sheet_id])
    blocks = _block_frames(rule, sheets, ps, gain, index)
    carried = {str(x) for x in rule.carried_over}
    matrikel = students["matrikel"].astype(object).to_numpy()
    can = can_attempt.reindex(index, fill_value=0).to_numpy()
    col = {
        c: out[c].to_numpy()
        for c in ("points", "max", "available", "percent", "attempted", "presentations")
    }
    block_cols = [
        (b, f["total"].to_numpy(), f["max"].to_numpy(), f["gain"].to_numpy()) for b, f in blocks
    ]
    judged = [
        ("admitted", "admitted: carried over from an earlier term")
        if str(matrikel[i]) in carried or student_id in carried
        else _judge(
            rule,
            _Standing(
                points=float(col["points"][i]),
                max=float(col["max"][i]),
                available=float(col["available"][i]),
                percent=float(col["percent"][i]),
                attempted=int(col["attempted"][i]),
                can_attempt=int(can[i]),
                presentations=int(col["presentations"][i]),
                open_sheets=sheet_range(open_by_student.get(student_id, [])),
                blocks=[(b, float(t[i]), float(m[i]), float(g[i])) for b, t, m, g in block_cols],
            ),
            sheets_to_come=bool(remaining_labels),
        )
        for i, student_id in enumerate(index)
    ]
    out["status"] = [status for status, _ in judged]
    out["explanation"] = [text for _, text in judged]
    return out


def _attempted(rule: AdmissionRule, ps: pd.DataFrame) -> pd.Series:
    """Per (student, sheet): attempted at ``attempted_share`` of its points, or with any
    submission or mark when that is 0; excused sheets count as attempted."""
    if rule.attempted_share > 0:
        flags = (ps["total"] + EPS >= rule.attempted_share * ps["possible"]) & (ps["possible"] > 0)
    else:
        flags = ps["submitted"] | ps["marked"]
    return flags | ps["excused"]


def _block_frames(
    rule: AdmissionRule, sheets: pd.DataFrame, ps: pd.DataFrame, gain: pd.Series, index: pd.Index
) -> list[tuple[BlockRule, pd.DataFrame]]:
    """Per block rule: each student's total, max and points still to gain in the block."""
    import pandas as pd

    if not rule.blocks:
        return []
    sheet_block = sheets["block"].reindex(ps.index.get_level_values("sheet_id")).to_numpy()
    blocks = []
    for block_rule in rule.blocks:
        in_block = sheet_block == block_rule.block
        frame = pd.DataFrame(
            {
                "total": ps["total"].where(in_block, 0.0),
                "max": ps["max"].where(in_block, 0.0),
                "gain": gain.where(in_block, 0.0),
            }
        )
        blocks.append(
            (block_rule, frame.groupby(level="student_id", sort=False).sum().reindex(index))
        )
    return blocks


@dataclass
class _Standing:
    """One student's numbers the rules judge."""

    points: float
    max: float
    available: float
    percent: float
    attempted: int
    can_attempt: int
    presentations: int
    open_sheets: str  # e.g. "sheets 09-12"
    blocks: list[tuple[BlockRule, float, float, float]]  # rule, total, max, still to gain


def _judge(rule: AdmissionRule, s: _Standing, *, sheets_to_come: bool) -> tuple[str, str]:
    """The status and its explanation: unmet rules the sheets to come can still
    satisfy give ``not_yet``; any that they cannot gives ``cannot_reach``."""
    unmet: list[str] = []
    unreachable: list[str] = []
    _judge_share(rule, s, unmet, unreachable)
    for block_rule, b_total, b_max, b_gain in s.blocks:
        b_need = block_rule.share * b_max
        if b_total + EPS >= b_need:
            continue
        if b_total + b_gain + EPS >= b_need:
            unmet.append(
                f"block {block_rule.block}: needs {fmt_points(b_need - b_total)} more points "
                f"({fmt_points(b_gain)} still available)"
            )
        else:
            pct = b_total / b_max * 100 if b_max else 0.0
            unreachable.append(
                f"block {block_rule.block}: {fmt_percent(pct)} % < "
                f"{fmt_share(block_rule.share)} and at most {fmt_points(b_gain)} points to come"
            )
    if s.attempted < rule.min_attempted:
        more = rule.min_attempted - s.attempted
        if s.attempted + s.can_attempt >= rule.min_attempted:
            unmet.append(f"needs {more} more sheet{'s' if more != 1 else ''} attempted")
        else:
            unreachable.append(
                f"{s.attempted} of {rule.min_attempted} sheets attempted and too few sheets to come"
            )
    if s.presentations < rule.min_presentations:
        more = rule.min_presentations - s.presentations
        text = f"needs {more} more presentation{'s' if more != 1 else ''} at the board"
        (unmet if sheets_to_come else unreachable).append(text)
    if unreachable:
        return "cannot_reach", "cannot reach admission: " + "; ".join(unreachable + unmet)
    if unmet:
        return "not_yet", "not yet: " + "; ".join(unmet)
    extra = []
    if rule.min_attempted:
        extra.append(f"{s.attempted} sheets attempted ≥ {rule.min_attempted}")
    if rule.min_presentations:
        extra.append(f"{s.presentations} presentations ≥ {rule.min_presentations}")
    return "admitted", f"admitted: {fmt_percent(s.percent)} % ≥ {fmt_share(rule.share)}" + "".join(
        f", {e}" for e in extra
    )


def _judge_share(
    rule: AdmissionRule, s: _Standing, unmet: list[str], unreachable: list[str]
) -> None:
    """The rule on the share of all points."""
    need = rule.share * s.max
    if s.points + EPS >= need:
        return
    if s.points + s.available + EPS >= need:
        unmet.append(
            f"needs {fmt_points(need - s.points)} more points from {s.open_sheets} "
            f"({fmt_points(s.available)} still available)"
        )
        return
    best = (s.points + s.available) / s.max * 100 if s.max else 0.0
    unreachable.append(
        f"{fmt_percent(s.percent)} % now, at most {fmt_percent(best)} % reachable "
        f"< {fmt_share(rule.share)}"
        if s.available
        else f"{fmt_percent(s.percent)} % < {fmt_share(rule.share)}"
    )
