"""Writing the gradebook and the admission list: CSV, XLSX, JSON, campus CSV, Moodle CSV.

Every export is built from the gradebook's roster frame, so a student who is not
on the roster can never appear in one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetgrade.gradebook.admission import STATUS_TEXT
from sheetgrade.gradebook.errors import GradebookError

if TYPE_CHECKING:
    import pandas as pd

    from sheetgrade.course.export_config import CampusExport
    from sheetgrade.gradebook.book import Gradebook

GRADEBOOK_FORMATS = ("csv", "xlsx", "json")
ADMISSION_FORMATS = ("csv", "xlsx", "campus", "moodle")
MOODLE_ITEM = "Exercise sheets"


#: the roster's columns that open every export, after the student id
PEOPLE_COLUMNS = ("matrikel", "last_name", "first_name", "email", "group")


def _people_columns(students: pd.DataFrame) -> dict[str, Any]:
    """``student`` (the id) and the roster columns, as arrays in the frame's order."""
    return {"student": students.index, **{c: students[c].to_numpy() for c in PEOPLE_COLUMNS}}


def gradebook_table(book: Gradebook) -> pd.DataFrame:
    """One row per student: roster columns, per sheet auto/manual/penalty/total/status, overall."""
    import pandas as pd

    s = book.students
    parts = [pd.DataFrame(_people_columns(s), index=s.index)]
    for value in ("auto", "manual", "penalty", "total", "status"):
        wide = book.wide(value)
        wide.columns = [f"{sheet} {value}" for sheet in wide.columns]
        parts.append(wide)
    o = book.overall
    parts.append(
        pd.DataFrame(
            {
                "points": o["points"],
                "max": o["max"],
                "percent": o["percent"].round(2),
                "presentations": o["presentations"],
                "attempted": o["attempted"],
                "status": o["status"],
                "explanation": o["explanation"],
            }
        )
    )
    table = pd.concat(parts, axis=1)
    order = ["student", *PEOPLE_COLUMNS]
    for sheet in book.sheets.index:
        order += [f"{sheet} {v}" for v in ("auto", "manual", "penalty", "total", "status")]
    order += ["points", "max", "percent", "presentations", "attempted", "status", "explanation"]
    return table[order].reset_index(drop=True)


def admission_table(book: Gradebook) -> pd.DataFrame:
    """One row per student: matrikel, names, group, points, max, percent, status, explanation."""
    import pandas as pd

    s, o = book.students, book.overall
    return pd.DataFrame(
        {
            **_people_columns(s),
            "points": o["points"].round(2).to_numpy(),
            "max": o["max"].to_numpy(),
            "percent": o["percent"].round(2).to_numpy(),
            "admitted": (o["status"] == "admitted").to_numpy(),
            "status": o["status"].map(STATUS_TEXT).to_numpy(),
            "explanation": o["explanation"].to_numpy(),
        }
    )


def _write_text(path: Path | None, text: str, *, bom: bool = False) -> str:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8-sig" if bom else "utf-8", newline="")
    return text


def export_gradebook(book: Gradebook, *, fmt: str, path: Path | None = None) -> str | None:
    """Write the gradebook as csv, xlsx or json; return the text (csv/json) when ``path`` is None."""
    if fmt not in GRADEBOOK_FORMATS:
        raise GradebookError(f"unknown format '{fmt}'; use one of {', '.join(GRADEBOOK_FORMATS)}")
    table = gradebook_table(book)
    if fmt == "csv":
        return _write_text(path, table.to_csv(index=False, lineterminator="\n"))
    if fmt == "json":
        return _write_text(
            path, json.dumps(_gradebook_json(book), indent=1, ensure_ascii=False) + "\n"
        )
    if path is None:
        raise GradebookError("xlsx needs an output file: pass -o FILE.xlsx")
    _write_xlsx(path, {"gradebook": table, "admission": admission_table(book)})
    return None


def _gradebook_json(book: Gradebook) -> dict[str, object]:
    import math

    def num(x: object) -> object:
        if isinstance(x, float) and math.isnan(x):
            return None
        return x.item() if hasattr(x, "item") else x

    per_sheet = book.per_sheet.reset_index()
    by_student: dict[str, list[dict[str, object]]] = {}
    for rec in per_sheet.to_dict("records"):
        by_student.setdefault(str(rec["student_id"]), []).append(
            {
                k: num(rec[k])
                for k in (
                    "sheet_id",
                    "auto",
                    "manual",
                    "penalty",
                    "total",
                    "max",
                    "status",
                    "late_seconds",
                )
            }
        )
    students = []
    for sid, row in book.students.iterrows():
        o = book.overall.loc[sid]
        students.append(
            {
                "id": sid,
                "matrikel": num(row["matrikel"]),
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": num(row["email"]),
                "group": num(row["group"]),
                "points": num(o["points"]),
                "max": num(o["max"]),
                "percent": round(float(o["percent"]), 2),
                "status": o["status"],
                "explanation": o["explanation"],
                "presentations": num(o["presentations"]),
                "sheets": by_student.get(str(sid), []),
            }
        )
    sheets = [
        {
            "id": sid,
            "title": r["title"],
            "due": r["due"].isoformat(),
            "block": r["block"],
            "bonus": bool(r["bonus"]),
            "max": float(r["max"]),
        }
        for sid, r in book.sheets.iterrows()
    ]
    return {
        "generated_at": book.now.isoformat(),
        "admission_share": book.share,
        "sheets": sheets,
        "students": students,
    }


def _write_xlsx(path: Path, frames: dict[str, pd.DataFrame]) -> None:
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in frames.items():
            frame.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            ws.freeze_panes = "B2"
            for column in ws.columns:
                letter = column[0].column_letter
                ws.column_dimensions[letter].width = min(60, max(8, len(str(column[0].value)) + 2))


def export_admission(
    book: Gradebook,
    *,
    fmt: str,
    path: Path | None = None,
    campus: CampusExport | None = None,
) -> str | None:
    """Write the admission list; return the text for the text formats when ``path`` is None.

    Formats:
        csv: every column of :func:`admission_table`.
        xlsx: the same as a worksheet (needs ``path``).
        campus: campus system upload, laid out by ``campus`` (course.yml
            ``exports.campus``; see :mod:`sheetgrade.gradebook.campus`); by default
            ``;``-separated, decimal comma, UTF-8 with BOM,
            Matrikelnummer;Nachname;Vorname;Punkte;Prozent;Status ("bestanden"/"nicht bestanden").
            The file is written in the declared encoding; the text returned has no BOM.
        moodle: Moodle grade import: First name, Last name, ID number (matriculation
            number), Email address (map it to "useremail"), the points as grade item
            "Exercise sheets", its feedback with the explanation.
    """
    if fmt not in ADMISSION_FORMATS:
        raise GradebookError(f"unknown format '{fmt}'; use one of {', '.join(ADMISSION_FORMATS)}")
    table = admission_table(book)
    if fmt == "csv":
        return _write_text(path, table.to_csv(index=False, lineterminator="\n"))
    if fmt == "xlsx":
        if path is None:
            raise GradebookError("xlsx needs an output file: pass -o FILE.xlsx")
        _write_xlsx(path, {"admission": table})
        return None
    if fmt == "campus":
        from sheetgrade.gradebook.campus import campus_bytes, campus_layout

        layout = campus_layout(campus)
        data = campus_bytes(table, layout)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return data.decode(layout.encoding).removeprefix("\ufeff")
    return _write_text(path, moodle_csv(table))


def _comma(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def campus_csv(table: pd.DataFrame, campus: CampusExport | None = None) -> str:
    """The campus-system list as text (no byte-order mark), laid out by ``campus``."""
    from sheetgrade.gradebook.campus import campus_layout, campus_text

    return campus_text(table, campus_layout(campus))


def moodle_csv(table: pd.DataFrame) -> str:
    """Moodle grade import CSV; identify users by "Email address" (or "ID number")."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        [
            "First name",
            "Last name",
            "ID number",
            "Email address",
            MOODLE_ITEM,
            f"Feedback: {MOODLE_ITEM}",
        ]
    )
    for row in table.itertuples(index=False):
        email = "" if row.email is None or row.email != row.email else row.email
        matrikel = "" if row.matrikel is None or row.matrikel != row.matrikel else row.matrikel
        writer.writerow(
            [row.first_name, row.last_name, matrikel, email, f"{row.points:.2f}", row.explanation]
        )
    return buffer.getvalue()
