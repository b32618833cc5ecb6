"""The example course (``mlphys/``, package data) and the invented data around it.

- :mod:`.demo`: ``sheetgrade demo``, the whole term through the commands;
- :mod:`.synth`: the students' submissions and the tutors' marks of that term;
- :mod:`.synthetic_roster`: the example course's invented roster;
- :mod:`.synthetic_course`: a synthetic course of any size (gradebook benchmark,
  report test).

May import every library package, never ``cli``.
"""
