"""The report's plots, drawn with matplotlib (Agg) and returned as inline SVG text."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sheetgrade.gradebook.book import Gradebook

BLUE, ORANGE, GREEN, RED, GREY = "#3b6fb6", "#e08a2c", "#2e8b57", "#c62828", "#9aa3b2"
STATUS_COLOURS = {"admitted": GREEN, "not_yet": ORANGE, "cannot_reach": RED}
STATUS_LABELS = {"admitted": "admitted", "not_yet": "not yet", "cannot_reach": "cannot reach"}


def _figure(width: float = 7.0, height: float = 3.2) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    fig.set_layout_engine("tight")
    return fig


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prolog and doctype: the SVG sits inside HTML


def totals_histogram(book: Gradebook) -> str:
    """Distribution of total percentages, with the admission threshold as a line."""
    import numpy as np

    fig = _figure()
    ax = fig.add_subplot()
    percent = book.overall["percent"].to_numpy(dtype=float)
    bins = [float(x) for x in np.linspace(0, 100, 21)]
    ax.hist(np.clip(percent, 0, 100), bins=bins, color=BLUE, edgecolor="white")
    ax.axvline(
        book.share * 100,
        color=RED,
        linestyle="--",
        linewidth=2,
        label=f"admission threshold {book.share * 100:g} %",
    )
    ax.set_xlabel("total, % of all sheet points")
    ax.set_ylabel("students")
    ax.set_xlim(0, 100)
    ax.legend(loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def per_sheet_stats(book: Gradebook) -> str:
    """Mean and median points per sheet, as a share of the sheet's points, of students who handed in."""
    import numpy as np

    totals = book.wide("total")
    submitted = book.wide("submitted").astype(bool)
    possible = book.sheets["possible"].to_numpy(dtype=float)
    values = totals.where(submitted).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = values / np.where(possible > 0, possible, np.nan) * 100
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # sheets nobody handed in yet: all-NaN columns
        mean = np.nan_to_num(np.nanmean(share, axis=0)) if share.size else np.zeros(0)
        median = np.nan_to_num(np.nanmedian(share, axis=0)) if share.size else np.zeros(0)
    return _bars(list(book.sheets["label"]), mean, median, "sheet", "% of the sheet's points")


def per_task_stats(book: Gradebook) -> str:
    """Mean and median per task (graded or marked entries only), as % of the task's points:
    one small panel per sheet."""
    import math

    import numpy as np

    tp = book.task_points.dropna(subset=["points"])
    tp = tp[tp["max"] > 0]
    share = tp.assign(share=tp["points"] / tp["max"] * 100)
    stats = share.groupby(["sheet_id", "task_id"], sort=False)["share"].agg(["mean", "median"])
    sheet_ids = list(book.sheets.index)
    ncols = max(1, min(4, len(sheet_ids)))
    nrows = max(1, math.ceil(len(sheet_ids) / ncols))
    fig = _figure(11.0, 2.1 * nrows + 0.4)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for k, ax in enumerate(axes.flat):
        if k >= len(sheet_ids):
            ax.set_visible(False)
            continue
        sid = sheet_ids[k]
        tasks = book.tasks[book.tasks.sheet_id == sid]
        order = [(sid, t) for t in tasks.task_id]
        values = stats.reindex(order).fillna(0.0)
        x = np.arange(len(order))
        ax.bar(x - 0.2, values["mean"].to_numpy(), width=0.4, color=BLUE, label="mean")
        ax.bar(x + 0.2, values["median"].to_numpy(), width=0.4, color=ORANGE, label="median")
        manual = ["✎" if kind == "manual" else "" for kind in tasks.kind]
        ax.set_xticks(
            x, [f"{t}{m}" for t, m in zip(tasks.task_id, manual, strict=True)], fontsize=8
        )
        ax.set_title(f"sheet {book.sheets.at[sid, 'label']}", fontsize=9)
        ax.set_ylim(0, 125)  # headroom for the legend above the 100 % bars
        ax.set_yticks(range(0, 101, 20))
        ax.tick_params(axis="y", labelsize=8)
        ax.spines[["top", "right"]].set_visible(False)
    axes.flat[0].legend(loc="upper center", frameon=False, fontsize=8, ncols=2)
    fig.supylabel("% of the task's points", fontsize=9)
    return _svg(fig)


def _bars(
    labels: list[str], mean: object, median: object, xlabel: str, ylabel: str, width: float = 7.0
) -> str:
    import numpy as np

    fig = _figure(width)
    ax = fig.add_subplot()
    x = np.arange(len(labels))
    ax.bar(x - 0.2, np.asarray(mean, dtype=float), width=0.4, color=BLUE, label="mean")
    ax.bar(x + 0.2, np.asarray(median, dtype=float), width=0.4, color=ORANGE, label="median")
    ax.set_xticks(
        x, labels, rotation=90 if len(labels) > 16 else 0, fontsize=8 if len(labels) > 16 else 10
    )
    ax.set_ylim(0, 105)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper right", frameon=False, ncols=2)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def admission_by_group(book: Gradebook) -> str:
    """Stacked bars: admitted / not yet / cannot reach per tutorial group."""
    import numpy as np

    frame = book.overall[["status"]].join(book.students["group"].fillna("no group"))
    counts = frame.groupby(["group", "status"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=list(STATUS_COLOURS), fill_value=0)
    fig = _figure()
    ax = fig.add_subplot()
    bottom = np.zeros(len(counts))
    x = np.arange(len(counts))
    for status, colour in STATUS_COLOURS.items():
        values = counts[status].to_numpy()
        ax.bar(x, values, bottom=bottom, color=colour, label=STATUS_LABELS[status])
        bottom += values
    ax.set_xticks(x, [str(g) for g in counts.index])
    ax.set_ylabel("students")
    ax.legend(loc="upper right", frameon=False, ncols=3)
    ax.set_ylim(0, max(1.0, float(bottom.max()) * 1.25))
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
