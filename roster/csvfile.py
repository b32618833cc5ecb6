"""Reading CSV exports as they come from Moodle, heiCO and spreadsheets.

The encoding is UTF-8 (with or without BOM) or cp1252, the delimiter ``,``,
``;`` or a tab; both are detected unless given.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sheetgrade.roster.errors import RosterError

DELIMITERS = ",;\t"


@dataclass
class CsvTable:
    """The cells of a CSV file with the line each row starts on."""

    label: str  # the file name used in messages
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, cells)
    encoding: str
    delimiter: str


def decode(data: bytes, label: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode file bytes; detect UTF-8 with/without BOM, else cp1252.

    Args:
        data: The file's bytes.
        label: The file name for messages.
        encoding: Force this encoding instead of detecting one.

    Returns:
        The text and the encoding used.

    Raises:
        RosterError: The bytes are not valid in the (given or detected) encoding.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise RosterError(
                f"{label}: unknown encoding '{encoding}' (try utf-8 or cp1252)"
            ) from None
        try:
            return data.decode(encoding).removeprefix("\ufeff"), encoding
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise RosterError(
                f"{label} line {line}: not valid {encoding} (byte 0x{data[exc.start]:02x}); "
                "try --encoding utf-8 or --encoding cp1252"
            ) from None
    if data.startswith(codecs.BOM_UTF8):
        return decode(data[len(codecs.BOM_UTF8) :], label, "utf-8")[0], "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    return decode(data, label, "cp1252")


def sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text.

    Headers rarely contain a delimiter character, so when exactly one of ``,``,
    ``;`` and tab occurs in the header line, that is it. Otherwise csv.Sniffer
    decides on the first lines, and failing that the most frequent one in the
    header wins (``,`` for a single column).
    """
    lines = text.splitlines()
    header = lines[0] if lines else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    present = [d for d in DELIMITERS if counts[d]]
    if len(present) == 1:
        return present[0]
    try:
        return csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=DELIMITERS).delimiter
    except csv.Error:
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def read_csv(path: Path, *, label: str | None = None, encoding: str | None = None) -> CsvTable:
    """Read a CSV file into a header and numbered rows; blank rows are skipped.

    Args:
        path: The file.
        label: Name used in messages (default: the file name).
        encoding: Force an encoding instead of detecting it.

    Raises:
        RosterError: The file is missing, empty, undecodable or malformed.
    """
    label = label or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RosterError(f"{label}: file not found") from None
    except OSError as exc:
        raise RosterError(f"{label}: cannot read: {exc.strerror}") from None
    text, used = decode(data, label, encoding)
    if not text.strip():
        raise RosterError(
            f"{label}: the file is empty; expected a header line and one row per person"
        )
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
            else:
                rows.append((line, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise RosterError(f"{label} line {reader.line_num}: {exc}") from None
    assert header is not None
    return CsvTable(label=label, header=header, rows=rows, encoding=used, delimiter=delimiter)
