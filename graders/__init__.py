"""Everything that executes code: submissions in confined processes, the tests,
scoring, build validation and students' local checks.

Entry points other packages call:

- :func:`sheetgrade.graders.batch.grade_sheet` — ``sheetgrade grade``;
- :func:`sheetgrade.graders.submission.grade_notebook` — one notebook, no database
  (security tests, benchmarks);
- :func:`sheetgrade.graders.validate.validate_build` — ``sheet build``;
- :func:`sheetgrade.graders.local_check.check_notebook` — ``sheetgrade check``;
- :func:`sheetgrade.graders.notebook_check.check` — ``check("2a")`` in Jupyter;
- :mod:`sheetgrade.graders.results` — stored results by (build hash, submission hash).

Two layers. :mod:`.sandbox` is the process machinery: the warm worker, the
confined child, the wire protocol and the session the grader drives; it
imports nothing else of ``graders``. Above it sits the judging:
:mod:`.harness` runs a test against the student and the reference of
:mod:`.targets` (judging with :mod:`.compare`, :mod:`.ml_checks` and
:mod:`.assert_lift`), :mod:`.tamper` flags tampering, :mod:`.submission`
grades one notebook, :mod:`.batch` a sheet, :mod:`.results` stores results.
Jupyter kernels (nbclient) are deliberately not used: a kernel per notebook
costs about a second; a fork of a warm worker costs milliseconds.

May import: ``sheetgrade.course`` and ``sheetgrade.sheets`` (to read test
definitions), and ``submissions`` records for a batch; never ``cli``, and
``sheets`` never imports ``graders``.
"""
