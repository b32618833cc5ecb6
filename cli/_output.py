"""Listing commands' shared output: the ``--format table|csv`` option and its writer."""

from __future__ import annotations

from typing import Any

import click

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)


def emit(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    """Write ``rows`` to stdout as CSV (header always) or as an aligned table (when any)."""
    if fmt == "csv":
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: r.get(c) or "" for c in columns} for r in rows)
    elif rows:
        from sheetgrade.cli._common import table

        click.echo(table(rows, columns))
