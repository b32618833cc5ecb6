"""Turning a run's results into derived figures, tables and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from stats import Sample, fmt_sample, fmt_seconds, ratio
from suite import Results, Sizes
from targets import TARGETS

BATCH_ROWS = (
    ("batch.nbgrader", "nbgrader autograde"),
    ("batch.otter", "otter.api.grade_submission, in a loop"),
    ("batch.sheetgrade_j1", "sheetgrade grade --jobs 1"),
    ("batch.sheetgrade_auto", "sheetgrade grade (jobs = cores)"),
    ("batch.sheetgrade_auto_nbgrader_source", "sheetgrade grade, nbgrader-format sheet"),
    ("batch.sheetgrade_auto_otter_source", "sheetgrade grade, otter-format sheet"),
)
STARTUP_ROWS = (
    ("startup.sheetgrade", "sheetgrade --help"),
    ("startup.nbgrader", "nbgrader --help"),
    ("startup.otter", "otter --help"),
)
CHECK_ROWS = (
    ("check.sheetgrade", "sheetgrade check NOTEBOOK"),
    ("check.otter", "otter check NOTEBOOK"),
    ("check.nbgrader_validate", "nbgrader validate NOTEBOOK"),
)
SINGLE_ROWS = (
    ("one.nbgrader", "nbgrader autograde --student"),
    ("one.otter", "otter.api.grade_submission, one call in a fresh process"),
    ("one.sheetgrade_j1", "sheetgrade grade --only"),
)
PS1_ROWS = (
    ("ps1.nbgrader", "nbgrader autograde ps1"),
    ("ps1.sheetgrade_auto", "sheetgrade grade ps1 (jobs = cores)"),
    ("ps1_one.nbgrader", "nbgrader autograde ps1 --student (one submission)"),
    ("ps1_one.sheetgrade_j1", "sheetgrade grade ps1 --only (one submission)"),
)
OVERHEAD_TOOLS = (
    ("nbgrader", "nbgrader autograde"),
    ("otter", "otter grade_submission loop"),
    ("sheetgrade_j1", "sheetgrade grade --jobs 1"),
)


def gradebook_seconds(res: Results) -> float | None:
    """The gradebook benchmark's headline figure: median of build + admission export."""
    together = res.gradebook.get("together")
    if isinstance(together, dict) and isinstance(together.get("median"), float):
        return together["median"]
    return None


def derive(res: Results, sizes: Sizes) -> dict[str, float]:
    """Ratios, per-submission figures and the values the targets are judged on."""
    s, out = res.samples, dict(res.values)
    fast = s.get("batch.sheetgrade_auto") or Sample("none")
    for tool in ("nbgrader", "otter"):
        slow = s.get(f"batch.{tool}") or Sample("none")
        if (r := ratio(slow, fast)) is not None:
            out[f"ratio_{tool}"] = r
        if (r := ratio(slow, s.get("batch.sheetgrade_j1") or Sample("none"))) is not None:
            out[f"ratio_{tool}_j1"] = r
    for key, _ in BATCH_ROWS:
        if s.get(key):
            out[f"per_submission.{key.removeprefix('batch.')}"] = s[key].median / sizes.n
    if "marginal.sheetgrade_j1" in out:
        out["overhead"] = out["marginal.sheetgrade_j1"]
    one, real = s.get("trivial_one.sheetgrade_j1"), s.get("batch.sheetgrade_j1")
    if one and real and "compute_per_submission" in out:
        out["overhead_real_batch"] = (real.median - one.median) / sizes.n - out[
            "compute_per_submission"
        ]
    for slow, fast, key in (
        ("one.nbgrader", "one.sheetgrade_j1", "ratio_one_nbgrader"),
        ("one.otter", "one.sheetgrade_j1", "ratio_one_otter"),
        ("ps1.nbgrader", "ps1.sheetgrade_auto", "ratio_ps1_nbgrader"),
        ("ps1_one.nbgrader", "ps1_one.sheetgrade_j1", "ratio_ps1_one_nbgrader"),
    ):
        if (r := ratio(s.get(slow) or Sample("none"), s.get(fast) or Sample("none"))) is not None:
            out[key] = r
    if s.get("startup.sheetgrade"):
        out["startup"] = s["startup.sheetgrade"].median
    if s.get("check.sheetgrade"):
        out["check"] = s["check.sheetgrade"].median
        for other in ("otter", "nbgrader_validate"):
            if r := ratio(s.get(f"check.{other}") or Sample("none"), s["check.sheetgrade"]):
                out[f"check_ratio_{other}"] = r
    if (seconds := gradebook_seconds(res)) is not None:
        out["gradebook"] = seconds
    return out


def _rows(res: Results, rows: tuple[tuple[str, str], ...], extra: dict[str, str]) -> list[str]:
    lines = []
    for key, label in rows:
        sample = res.samples.get(key)
        if sample:
            lines.append(f"| {label} | {fmt_sample(sample)} | {extra.get(key, '')} |")
    return lines


def _has(res: Results, prefix: str) -> bool:
    return any(key.startswith(prefix) for key in res.samples)


def tables(res: Results, sizes: Sizes, derived: dict[str, float]) -> str:
    """Markdown tables of every measurement made: median [min-max] and ratios."""
    out: list[str] = []
    if _has(res, "startup."):
        out += ["### CLI start-up", "", "| command | median [min-max] | |", "|---|---|---|"]
        start = res.samples.get("startup.sheetgrade")
        extra = {}
        for key, _ in STARTUP_ROWS[1:]:
            if start and (r := ratio(res.samples.get(key) or Sample("none"), start)):
                extra[key] = f"{r:.0f}x slower than sheetgrade"
        out += _rows(res, STARTUP_ROWS, extra) + [""]
    if _has(res, "batch."):
        out += _batch_table(res, sizes, derived) + [""]
    if _has(res, "one."):
        out += ["### One submission on its own (a tutor regrading one student)", ""]
        out += ["| grader | median [min-max] | |", "|---|---|---|"]
        extra = {
            f"one.{t}": f"{derived[f'ratio_one_{t}']:.1f}x slower than sheetgrade"
            for t in ("nbgrader", "otter")
            if f"ratio_one_{t}" in derived
        }
        out += _rows(res, SINGLE_ROWS, extra) + [""]
    if _has(res, "ps1"):
        out += [
            "### nbgrader's ps1 (problem1 + problem2 + header as one sheet, read from the "
            f"installed nbgrader), {sizes.n} byte-distinct submissions and one alone",
            "",
            "| grader | median [min-max] | |",
            "|---|---|---|",
        ]
        extra = {}
        for key, ratio_key in (
            ("ps1.nbgrader", "ratio_ps1_nbgrader"),
            ("ps1_one.nbgrader", "ratio_ps1_one_nbgrader"),
        ):
            if ratio_key in derived:
                extra[key] = f"{derived[ratio_key]:.1f}x slower than sheetgrade"
        out += _rows(res, PS1_ROWS, extra) + [""]
    if _has(res, "trivial_"):
        out += _overhead_table(res, sizes, derived) + [""]
    if _has(res, "check."):
        out += [
            "### Student check of a partial notebook",
            "",
            "| command | median [min-max] | |",
            "|---|---|---|",
        ]
        extra = {
            f"check.{o}": f"{derived[f'check_ratio_{o}']:.1f}x slower than sheetgrade"
            for o in ("otter", "nbgrader_validate")
            if f"check_ratio_{o}" in derived
        }
        out += _rows(res, CHECK_ROWS, extra) + [""]
    return "\n".join(out).rstrip()


def _batch_table(res: Results, sizes: Sizes, derived: dict[str, float]) -> list[str]:
    out = [
        f"### Grading a batch of {sizes.n} submissions",
        "",
        "| grader | median [min-max] | per submission | sheetgrade (jobs = cores) is |",
        "|---|---|---|---|",
    ]
    for key, label in BATCH_ROWS:
        sample = res.samples.get(key)
        if not sample:
            continue
        tool = key.removeprefix("batch.")
        per = fmt_seconds(derived[f"per_submission.{tool}"])
        speed = f"{derived[f'ratio_{tool}']:.1f}x faster" if f"ratio_{tool}" in derived else ""
        if f"ratio_{tool}_j1" in derived:
            speed += f" (--jobs 1: {derived[f'ratio_{tool}_j1']:.1f}x)"
        out.append(f"| {label} | {fmt_sample(sample)} | {per} | {speed} |")
    if "otter_per_call_median" in derived:
        out += [
            "",
            "otter: median of one `grade_submission` call inside the loop: "
            f"{fmt_seconds(derived['otter_per_call_median'])}.",
        ]
    if "compute_per_submission" in derived:
        out += [
            "",
            "Student code of the batch (cells + tests, warm interpreter): "
            f"{fmt_seconds(derived['compute_per_submission'])} per submission.",
        ]
    return out


def _overhead_table(res: Results, sizes: Sizes, derived: dict[str, float]) -> list[str]:
    out = [
        f"### Cost per submission beyond the student's code ({sizes.n_trivial} trivial "
        "notebooks vs 1)",
        "",
        f"| grader | {sizes.n_trivial} trivial | 1 trivial | marginal per submission |",
        "|---|---|---|---|",
    ]
    for tool, label in OVERHEAD_TOOLS:
        full, one = res.samples.get(f"trivial_full.{tool}"), res.samples.get(f"trivial_one.{tool}")
        if full and one:
            marginal = derived.get(f"marginal.{tool}")
            out.append(
                f"| {label} | {fmt_sample(full)} | {fmt_sample(one)} | "
                f"{fmt_seconds(marginal) if marginal is not None else 'n/a'} |"
            )
    if "overhead_real_batch" in derived:
        out += [
            "",
            "sheetgrade --jobs 1 on the real batch, start-up (1 trivial) and student "
            f"code taken out: {fmt_seconds(derived['overhead_real_batch'])} per submission.",
        ]
    return out


def gradebook_text(res: Results) -> str:
    """The gradebook benchmark's figures, and the course it built."""
    book = res.gradebook
    lines = [
        f"### Gradebook build + admission export, {book.get('sizes', '')} "
        "(benchmarks/gradebook_bench.py)",
        "",
    ]
    first = str(book.get("stdout", "")).strip().splitlines()[:1]
    lines += [f"{first[0]}", ""] if first else []
    lines += ["| step | median |", "|---|---|"]
    for key, label in (
        ("build", "build gradebook"),
        ("export", "admission export (campus CSV)"),
        ("together", "together"),
    ):
        figures = book.get(key)
        if isinstance(figures, dict):
            spread = (
                f" [{fmt_seconds(figures['min'])}-{fmt_seconds(figures['max'])}]"
                if "min" in figures
                else ""
            )
            lines.append(f"| {label} | {fmt_seconds(figures['median'])}{spread} |")
    return "\n".join(lines)


def targets_table(derived: dict[str, float]) -> tuple[str, list[str]]:
    """The targets table, and one line per missed target."""
    lines = ["| target | bound | measured | met |", "|---|---|---|---|"]
    missed = []
    for target in TARGETS:
        value = derived.get(target.key)
        if value is None:
            lines.append(f"| {target.label} | {target.describe()} | not measured | - |")
            continue
        shown = f"{value:.1f}x" if target.unit == "x" else fmt_seconds(value)
        ok = target.met(value)
        lines.append(
            f"| {target.label} | {target.describe()} | {shown} | {'yes' if ok else '**MISSED**'} |"
        )
        if not ok:
            missed.append(f"{target.label}: {shown}, target {target.describe()}")
    return "\n".join(lines), missed


def agreement_text(res: Results) -> str:
    """Score agreement, with every mismatch listed."""
    lines = []
    for a in res.agreement:
        lines.append(f"- {a.summary()}")
        lines += [f"    - {m}" for m in a.mismatches]
    if res.disagreements:
        lines.append("- tools with tests in the student's namespace disagree with each other:")
        lines += [f"    - {d}" for d in res.disagreements]
    elif res.agreement:
        lines.append(
            "- the tools whose tests run in the student's namespace (all but sheetgrade's "
            "native sheet) agree with each other on every task of every submission"
        )
    return "\n".join(lines)


def write_json(
    path: Path,
    *,
    machine: dict[str, object],
    versions: dict[str, object],
    sizes: Sizes,
    res: Results,
    derived: dict[str, float],
    smoke: bool,
) -> None:
    """All of it, machine-readable."""
    payload = {
        "machine": machine,
        "versions": versions,
        "smoke": smoke,
        "sizes": sizes.__dict__,
        "samples": {k: v.to_dict() for k, v in res.samples.items()},
        "derived": derived,
        "targets": {
            t.key: {
                "bound": t.bound,
                "value": derived.get(t.key),
                "met": None if t.key not in derived else t.met(derived[t.key]),
            }
            for t in TARGETS
        },
        "agreement": [
            {"tool": a.tool, "checked": a.checked, "mismatches": a.mismatches}
            for a in res.agreement
        ],
        "disagreements": res.disagreements,
        "gradebook": res.gradebook,
        "notes": res.notes,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
