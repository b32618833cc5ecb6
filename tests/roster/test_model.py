"""The Roster lookups other parts of sheetgrade use."""

from __future__ import annotations

import pytest

from sheetgrade.roster.errors import RosterError
from sheetgrade.roster.model import Group, Roster, Student, Team


@pytest.fixture
def roster() -> Roster:
    students = {
        "s1": Student("s1", "Anna", "Müller", "anna@x.de", "3000001", "G1"),
        "s2": Student("s2", "Zoë", "Çelik", "zoe@x.de", "3000002", "G1"),
        "s3": Student("s3", "José", "Weiß", None, "3000003", "G2"),
    }
    groups = {"G1": Group("G1", "Mo 14-16"), "G2": Group("G2", "Di 10-12")}
    teams = {
        "T1": Team("T1", ("s1", "s2"), None, "T1"),
        "03:X": Team("03:X", ("s1", "s3"), "03", "X"),
    }
    return Roster(students=students, groups=groups, teams=teams)


def test_find_student_by_id_matrikel_or_email(roster: Roster) -> None:
    assert roster.find_student("s2") == roster.students["s2"]
    assert roster.find_student("3000003") == roster.students["s3"]
    assert roster.find_student(" ANNA@x.de ") == roster.students["s1"]
    assert roster.find_student("nobody") is None


def test_student_suggests_near_miss(roster: Roster) -> None:
    with pytest.raises(RosterError, match=r"no student 's11'; did you mean 's1'\?"):
        roster.student("s11")


def test_by_group_accepts_id_or_name_and_sorts_by_last_name(roster: Roster) -> None:
    assert [s.id for s in roster.by_group("G1")] == ["s2", "s1"]
    assert [s.id for s in roster.by_group("mo 14-16")] == ["s2", "s1"]
    with pytest.raises(
        RosterError, match=r"no group 'G11'; did you mean 'G1'\? \(groups: G1, G2\)"
    ):
        roster.by_group("G11")


def test_sheet_team_wins_over_term_team(roster: Roster) -> None:
    assert roster.team_of("s1").id == "T1"  # type: ignore[union-attr]
    assert roster.team_of("s1", "03").id == "03:X"  # type: ignore[union-attr]
    assert roster.team_of("s2", "03").id == "T1"  # type: ignore[union-attr]
    assert roster.team_of("s3") is None
    assert [s.id for s in roster.members("03:X")] == ["s1", "s3"]
