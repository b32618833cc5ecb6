"""An invented, deterministic roster for the example course and the demo.

``python -m sheetgrade.examples.synthetic_roster DIR`` writes the canonical files
(students.csv, tutors.csv, groups.csv, teams.csv) into DIR; the example course's
``roster/`` folder was made this way with the defaults.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from sheetgrade.roster.files import render_files
from sheetgrade.roster.model import Group, Roster, Student, Team, Tutor
from sheetgrade.roster.names import name_words

FIRST_NAMES = [
    "Anna",
    "Lena",
    "Zoë",
    "José",
    "Çağla",
    "Jürgen",
    "Søren",
    "Amélie",
    "Björn",
    "Mia",
    "Noah",
    "Elif",
    "Mehmet",
    "Aylin",
    "Jonas",
    "Lukas",
    "Sofia",
    "Chiara",
    "Mateo",
    "Léa",
    "Hannah",
    "Emil",
    "Yusuf",
    "Priya",
    "Arjun",
    "Wei",
    "Mei",
    "Hiroshi",
    "Yuki",
    "Olumide",
    "Chinonso",
    "Kwame",
    "Fatima",
    "Omar",
    "Leila",
    "Dmitri",
    "Olga",
    "Katarzyna",
    "Tomáš",
    "Zoltán",
    "Ingrid",
    "Maëlle",
    "Noémie",
    "Ferdinand",
    "Greta",
    "Paul",
    "Marie",
    "Felix",
    "Ida",
    "Theo",
    "Anneliese",
    "Jörg",
    "Malte",
    "Svenja",
    "Nele",
    "Ömer",
    "Iñigo",
    "Łucja",
    "Rafaël",
    "Benedikt",
    "Carlotta",
    "Konstantin",
    "Anaïs",
    "Sebastián",
    "Ayşe",
    "Dário",
]
LAST_NAMES = [
    "Müller",
    "Weiß",
    "Çelik",
    "Schröder",
    "Großmann",
    "Nguyen",
    "García",
    "Kowalski",
    "Yılmaz",
    "Öztürk",
    "Fischer",
    "Becker",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weber",
    "Jäger",
    "Vogt",
    "Dubois",
    "Rossi",
    "Fernández",
    "Novák",
    "Horváth",
    "Andersson",
    "Nakamura",
    "Tanaka",
    "Chen",
    "Wang",
    "Okafor",
    "Mensah",
    "Haddad",
    "Petrović",
    "Ivanova",
    "O'Brien",
    "Dąbrowski",
    "Lefèvre",
    "Sánchez",
    "Di Stefano",
    "van der Berg",
    "Núñez",
    "Kürşat",
    "Strauß",
    "Voß",
    "Gößler",
    "Brandão",
]
TUTORS = [
    ("Clara Heß", "Mo 14-16"),
    ("Maximilian Dörr", "Mo 16-18"),
    ("Aisha Rahman", "Di 10-12"),
    ("Julien Moreau", "Di 14-16"),
    ("Friederike Lübke", "Mi 12-14"),
    ("Tobias Eßer", "Do 16-18"),
]
DOMAIN = "stud.uni-heidelberg.de"
DEFAULT_SEED = 2026


def _email(first: str, last: str, taken: set[str]) -> str:
    base = f"{'-'.join(name_words(first))}.{'-'.join(name_words(last))}"
    email, n = f"{base}@{DOMAIN}", 1
    while email in taken:
        n += 1
        email = f"{base}{n}@{DOMAIN}"
    taken.add(email)
    return email


def _partition(size: int, rng: random.Random) -> list[int]:
    """Team sizes of 2 or 3 that add up to ``size`` (size >= 2)."""
    sizes: list[int] = []
    while size > 0:
        if size in (2, 3):
            sizes.append(size)
            break
        step = 3 if size == 4 or rng.random() < 0.5 else 2
        step = 2 if size - step == 1 else step
        sizes.append(step)
        size -= step
    return sizes


def synthetic_roster(n: int = 120, groups: int = 6, seed: int = DEFAULT_SEED) -> Roster:
    """An invented roster: ``n`` students in ``groups`` tutorial groups, one tutor
    each, term-wide teams of 2–3 inside each group and a few students alone.

    Args:
        n: Number of students (ids ``s001`` …).
        groups: Number of tutorial groups (``G1`` …), at most 6 with names and tutors.
        seed: Seed of the random generator; the same arguments give the same roster.
    """
    if not 1 <= groups <= len(TUTORS):
        raise ValueError(f"groups must be between 1 and {len(TUTORS)}")
    rng = random.Random(seed)
    pairs = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(pairs, n)
    matrikel = rng.sample(range(3_100_000, 4_300_000), n)
    group_ids = [f"G{i + 1}" for i in range(groups)]
    taken: set[str] = set()
    students: dict[str, Student] = {}
    for i, (first, last) in enumerate(chosen):
        sid = f"s{i + 1:03d}"
        students[sid] = Student(
            id=sid,
            first_name=first,
            last_name=last,
            email=_email(first, last, taken),
            matrikel=str(matrikel[i]),
            group=group_ids[i % groups],
        )
    tutors: dict[str, Tutor] = {}
    group_map: dict[str, Group] = {}
    tutor_mails: set[str] = set()
    for gid, (tutor_name, slot) in zip(group_ids, TUTORS, strict=False):
        first, last = tutor_name.split(" ", 1)
        email = _email(first, last, tutor_mails).replace(DOMAIN, "uni-heidelberg.de")
        tutors[email] = Tutor(name=tutor_name, email=email, groups=(gid,))
        group_map[gid] = Group(id=gid, name=slot, tutor_email=email)
    teams: dict[str, Team] = {}
    for gid in group_ids:
        members = [s.id for s in students.values() if s.group == gid]
        rng.shuffle(members)
        alone = min(len(members), rng.choice([1, 2, 3]))
        rest = members[alone:]
        if len(rest) < 2:
            continue
        for size in _partition(len(rest), rng):
            name = f"T{len(teams) + 1:02d}"
            teams[name] = Team(id=name, members=tuple(sorted(rest[:size])), name=name)
            rest = rest[size:]
    return Roster(students=students, groups=group_map, tutors=tutors, teams=teams)


def write_synthetic_roster(directory: Path, roster: Roster | None = None) -> list[Path]:
    """Write a roster (default: ``synthetic_roster()``) as canonical files into ``directory``."""
    roster = roster or synthetic_roster()
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render_files(roster, with_groups=True).items():
        path = directory / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("roster")
    for path in write_synthetic_roster(target):
        print(path)
