"""The sandbox: how one student process runs, confined, and how the grader talks to it.

:mod:`.worker` starts the warm worker (:mod:`.zygote`), a fresh interpreter
that has imported the scientific stack and forks one child per submission
(:mod:`.child`); the child starts up in its scratch directory
(:mod:`.startup`, shared with the portable backend's :mod:`.portable_child`),
confines itself (:mod:`.confine` with :mod:`.seccomp`, whose syscall table is
:mod:`.syscalls`, and :mod:`.landlock`) and runs the cells
(:mod:`.execution`, with the IPython stand-in of :mod:`.ipython_shim`); the
grader drives it through :mod:`.session` over :mod:`.protocol` (length-prefixed
JSON of plain data, never pickle). Its errors are in :mod:`.errors`.

May import: the standard library, ``sheetgrade.course.errors`` and itself.
It imports nothing else of :mod:`sheetgrade.graders`: the judging (harness,
compare, tamper, assert lift, results, batch) sits above it and does not
know how a child ran.
"""
