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

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from sheetgrade.course.config import AdmissionRule

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
    total = ps["total"].groupby(level="student_id", sort=False).sum()
    maximum = ps["max"].groupby(level="student_id", sort=False).sum()
    open_ = ps["remaining"] & ~ps["excused"]
    gain = (ps["possible"] - ps["total"]).clip(lower=0.0).where(open_, 0.0)
    available = gain.groupby(level="student_id", sort=False).sum()
    if rule.attempted_share > 0:
        attempted_flags = (ps["total"] + EPS >= rule.attempted_share * ps["possible"]) & (
            ps["possible"] > 0
        )
    else:
        attempted_flags = ps["submitted"] | ps["marked"]
    attempted_flags = attempted_flags | ps["excused"]
    attempted = attempted_flags.groupby(level="student_id", sort=False).sum().astype(int)
    can_attempt = (
        (open_ & ~attempted_flags).groupby(level="student_id", sort=False).sum().astype(int)
    )

    index = students.index
    out = pd.DataFrame(index=index)
    out["points"] = total.reindex(index).round(4)
    out["max"] = maximum.reindex(index)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["percent"] = np.where(out["max"] > 0, out["points"] / out["max"] * 100, 0.0)
    out["needed"] = (rule.share * out["max"] - out["points"]).clip(lower=0.0).round(4)
    out["available"] = available.reindex(index).round(4)
    out["attempted"] = attempted.reindex(index)
    out["presentations"] = presentations.reindex(index, fill_value=0).astype(int)

    remaining_labels = {
        sid: label for sid, label in sheets["label"].items() if sheets.at[sid, "remaining"]
    }
    open_by_student: dict[str, list[str]] = {}
    if remaining_labels:
        opened = ps.index[open_.to_numpy()]
        for student_id, sheet_id in opened:
            open_by_student.setdefault(student_id, []).append(remaining_labels[sheet_id])

    blocks = []
    if rule.blocks:
        sheet_block = sheets["block"].reindex(ps.index.get_level_values("sheet_id")).to_numpy()
        for block_rule in rule.blocks:
            in_block = sheet_block == block_rule.block
            frame = (
                pd.DataFrame(
                    {
                        "total": ps["total"].where(in_block, 0.0),
                        "max": ps["max"].where(in_block, 0.0),
                        "gain": gain.where(in_block, 0.0),
                    }
                )
                .groupby(level="student_id", sort=False)
                .sum()
            )
            frame = frame.reindex(index)
            blocks.append((block_rule, frame))

    carried = {str(x) for x in rule.carried_over}
    statuses, texts = [], []
    matrikel = students["matrikel"].astype(object).to_numpy()
    col = {
        c: out[c].to_numpy()
        for c in ("points", "max", "available", "percent", "attempted", "presentations")
    }
    can = can_attempt.reindex(index, fill_value=0).to_numpy()
    block_cols = [
        (b, frame["total"].to_numpy(), frame["max"].to_numpy(), frame["gain"].to_numpy())
        for b, frame in blocks
    ]
    for i, student_id in enumerate(index):
        if str(matrikel[i]) in carried or student_id in carried:
            statuses.append("admitted")
            texts.append("admitted: carried over from an earlier term")
            continue
        where = sheet_range(open_by_student.get(student_id, []))
        unmet, unreachable = [], []
        points, mx, avail = (
            float(col["points"][i]),
            float(col["max"][i]),
            float(col["available"][i]),
        )
        percent = float(col["percent"][i])
        need = rule.share * mx
        if points + EPS < need:
            missing = need - points
            if points + avail + EPS >= need:
                unmet.append(
                    f"needs {fmt_points(missing)} more points from {where} "
                    f"({fmt_points(avail)} still available)"
                )
            else:
                best = (points + avail) / mx * 100 if mx else 0.0
                unreachable.append(
                    f"{fmt_percent(percent)} % now, at most {fmt_percent(best)} % reachable "
                    f"< {fmt_share(rule.share)}"
                    if avail
                    else f"{fmt_percent(percent)} % < {fmt_share(rule.share)}"
                )
        for block_rule, b_totals, b_maxes, b_gains in block_cols:
            b_total, b_max, b_gain = float(b_totals[i]), float(b_maxes[i]), float(b_gains[i])
            b_need = block_rule.share * b_max
            if b_total + EPS < b_need:
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
        n_att = int(col["attempted"][i])
        if n_att < rule.min_attempted:
            more = rule.min_attempted - n_att
            if n_att + int(can[i]) >= rule.min_attempted:
                unmet.append(f"needs {more} more sheet{'s' if more != 1 else ''} attempted")
            else:
                unreachable.append(
                    f"{n_att} of {rule.min_attempted} sheets attempted and too few sheets to come"
                )
        n_show = int(col["presentations"][i])
        if n_show < rule.min_presentations:
            more = rule.min_presentations - n_show
            text = f"needs {more} more presentation{'s' if more != 1 else ''} at the board"
            (unmet if remaining_labels else unreachable).append(text)
        if unreachable:
            statuses.append("cannot_reach")
            texts.append("cannot reach admission: " + "; ".join(unreachable + unmet))
        elif unmet:
            statuses.append("not_yet")
            texts.append("not yet: " + "; ".join(unmet))
        else:
            statuses.append("admitted")
            extra = []
            if rule.min_attempted:
                extra.append(f"{n_att} sheets attempted ≥ {rule.min_attempted}")
            if rule.min_presentations:
                extra.append(f"{n_show} presentations ≥ {rule.min_presentations}")
            texts.append(
                f"admitted: {fmt_percent(percent)} % ≥ {fmt_share(rule.share)}"
                + "".join(f", {e}" for e in extra)
            )
    out["status"] = statuses
    out["explanation"] = texts
    return out
