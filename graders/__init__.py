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

How a submission runs: :mod:`.worker` starts the warm worker (:mod:`.zygote`),
which forks one child per submission (:mod:`.child`); the child confines itself
(:mod:`.confine`) and runs the cells (:mod:`.execution`); the grader talks to it
through :mod:`.session` over :mod:`.protocol` and judges in :mod:`.harness`.
Jupyter kernels (nbclient) are deliberately not used: a kernel per notebook
costs about a second; a fork of a warm worker costs milliseconds.
"""
