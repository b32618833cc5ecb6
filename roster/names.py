"""Normalising people's names so that spellings of one name compare equal."""

from __future__ import annotations

import re
import unicodedata

# German transliteration first; accents are stripped afterwards.
_TRANSLITERATE = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
    }
)
_APOSTROPHES = re.compile(r"['’`´]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


def name_words(name: str) -> list[str]:
    """The words of a name after normalisation, in their order.

    Args:
        name: A name, e.g. ``"Müller, Anna-Lena"``.

    Returns:
        ``["mueller", "anna", "lena"]`` for the example above.
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text)
    return [t for t in _SEPARATORS.split(text) if t]


def name_tokens(name: str) -> frozenset[str]:
    """The words of a name after normalisation, as an unordered set.

    Args:
        name: A name in any order and spelling, e.g. ``"Müller, Anna-Lena"``.

    Returns:
        ``frozenset({"anna", "lena", "mueller"})`` for the example above.
    """
    return frozenset(name_words(name))


def normalise_name(name: str) -> str:
    """A canonical key for a person's name, independent of order and spelling.

    Casefolds, transliterates German umlauts and ß (ä→ae, ö→oe, ü→ue, ß→ss),
    strips other accents, and sorts the words, so ``"Müller, Anna"``,
    ``"anna mueller"`` and ``"ANNA MÜLLER"`` all give ``"anna mueller"``.

    Args:
        name: A name such as ``"Nachname, Vorname"`` or ``"Vorname Nachname"``.

    Returns:
        The sorted, normalised words joined by single spaces.
    """
    return " ".join(sorted(name_tokens(name)))
