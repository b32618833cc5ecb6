"""normalise_name: one key for every spelling and order of a name."""

from __future__ import annotations

import unicodedata

import pytest

from sheetgrade.roster.names import name_tokens, name_words, normalise_name


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Müller, Anna", "Anna Müller"),
        ("Anna Müller", "ANNA MUELLER"),
        ("Weiß, Jürgen", "juergen weiss"),
        ("Zoë Çelik", "Zoe Celik"),
        ("José  Núñez", "Nunez, Jose"),
        ("O'Brien, Søren", "soren obrien"),
        (unicodedata.normalize("NFD", "Jörg Gößler"), "Joerg Goessler"),
    ],
)
def test_spellings_of_one_name_normalise_equal(a: str, b: str) -> None:
    assert normalise_name(a) == normalise_name(b)


def test_normalised_form_is_sorted_words() -> None:
    assert normalise_name("Müller, Anna-Lena") == "anna lena mueller"
    assert name_words("Müller, Anna-Lena") == ["mueller", "anna", "lena"]
    assert name_tokens("van der Berg") == frozenset({"van", "der", "berg"})


def test_different_names_differ() -> None:
    assert normalise_name("Anna Müller") != normalise_name("Anna Muller")
