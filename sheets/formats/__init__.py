"""The three authoring formats: detection and parsing of a source notebook."""

from __future__ import annotations

from sheetgrade.sheets.formats.base import ParsedSheet
from sheetgrade.sheets.formats.detect import detect_format, parse_notebook

__all__ = ["ParsedSheet", "detect_format", "parse_notebook"]
