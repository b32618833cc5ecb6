"""Normalising people's names so that spelling variants meet.

``Müller``, ``Mueller`` and ``Muller`` meet; ``Nachname, Vorname`` meets
``Vorname Nachname``; accents, case and punctuation are ignored (the roster's
:func:`sheetgrade.roster.names.normalise_name`, once with ``ü`` → ``ue`` and
once with ``ü`` → ``u``). A misspelling (``Ana`` for ``Anna``) does *not* meet:
matching by name must never guess.
"""

from __future__ import annotations

from sheetgrade.roster.names import normalise_name

_STRIP_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "Ä": "A", "Ö": "O", "Ü": "U"})

__all__ = ["name_keys", "normalise_name"]


def name_keys(name: str) -> set[str]:
    """Order-free keys of a name under both umlaut conventions.

    Two names are the same person's name when their key sets intersect.

    Example:
        >>> sorted(name_keys("Müller, Jörg"))
        ['joerg mueller', 'jorg muller']
    """
    import unicodedata

    composed = unicodedata.normalize("NFC", name)
    keys = {normalise_name(composed), normalise_name(composed.translate(_STRIP_UMLAUTS))}
    keys.discard("")
    return keys
