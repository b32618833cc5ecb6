"""The one jinja2 environment: course-local overrides first, then the built-in
templates in this package. ``StrictUndefined`` turns a missing variable into an
error instead of an empty string."""

from __future__ import annotations

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
    return Environment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
