"""The roster: students, tutorial groups, tutors and teams.

Modules, each small:

- :mod:`~sheetgrade.roster.model`: ``Student``, ``Tutor``, ``Group``, ``Team`` and
  the ``Roster`` with its lookups.
- :mod:`~sheetgrade.roster.names`: ``normalise_name`` for matching people by name.
- :mod:`~sheetgrade.roster.csvfile` and :mod:`~sheetgrade.roster.columns`: reading
  real CSV exports (encodings, delimiters, English or German headers).
- :mod:`~sheetgrade.roster.entries`: rows of a file as roster entries with line numbers.
- :mod:`~sheetgrade.roster.check`: validation of a whole roster.
- :mod:`~sheetgrade.roster.files`: the canonical files in ``roster/``.
- :mod:`~sheetgrade.roster.db`: the roster in the database.
- :mod:`~sheetgrade.roster.api`: ``sync_roster``, ``import_roster_file`` and friends.
- :mod:`~sheetgrade.roster.merge`: an imported file's entries merged into the roster
  (matching students by id or matriculation number) before the whole is checked.

The invented roster of the example course is made by
:mod:`sheetgrade.examples.synthetic_roster`.
"""
