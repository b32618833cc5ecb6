"""The one jinja2 environment: course-local overrides first, then the built-in
templates in this package. ``StrictUndefined`` turns a missing variable into an
error instead of an empty string."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment


def environment(override_dir: Path | None = None, *, autoescape: bool = True) -> Environment:
    """Create the template environment.

    Args:
        override_dir: a course's ``templates/`` folder; a template there replaces
            the built-in one of the same name. A built-in stays reachable as
            ``default:<name>`` so an override can extend it.
        autoescape: escape HTML (off for Markdown and CSV templates).
    """
    from jinja2 import (
        BaseLoader,
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PackageLoader,
        PrefixLoader,
        StrictUndefined,
    )

    builtin = PackageLoader("sheetgrade.templates", "")
    loaders: list[BaseLoader] = []
    if override_dir is not None and override_dir.is_dir():
        loaders.append(FileSystemLoader(str(override_dir)))
    loaders += [builtin, PrefixLoader({"default": builtin}, delimiter=":")]
    env = Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_text"] = md_text
    env.filters["md_code"] = md_code
    return env


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_text(text: object) -> str:
    """``text`` as inert Markdown inline text: one line, HTML characters as
    entities, and the punctuation that makes links, emphasis, code spans,
    tables and strike-through backslash-escaped (no link, emphasis or raw
    HTML can come out of it)."""
    value = " ".join(str(text).split())
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", value)


def md_code(text: object, indent: int = 0) -> str:
    """``text`` as a fenced Markdown code block that the text cannot close: the
    fence is one backtick longer than the longest run of backticks inside."""
    value = str(text).replace("\r", "")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * max(3, longest + 1)
    pad = " " * indent
    body = "\n".join(pad + line for line in value.split("\n"))
    return f"{pad}{fence}\n{body}\n{pad}{fence}"
