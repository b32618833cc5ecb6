"""Grade notebooks one after another with ``otter.api.grade_submission``.

Run with the competitors' Python: ``python otter_grade.py AUTOGRADER_ZIP OUT_JSON NB...``.
Writes ``{"scores": {student: {question: score}}, "seconds": [...]}`` where the
student is the notebook's parent folder name and ``seconds`` times each call.
"""

import json
import sys
import time
from pathlib import Path

from otter.api import grade_submission


def main() -> None:
    zip_path, out, *notebooks = sys.argv[1:]
    scores, seconds = {}, []
    for notebook in notebooks:
        start = time.perf_counter()
        results = grade_submission(notebook, zip_path, quiet=True)
        seconds.append(time.perf_counter() - start)
        per_question = {}
        for name, result in results.results.items():
            per_question[name] = result.score
        scores[Path(notebook).parent.name] = per_question
    Path(out).write_text(json.dumps({"scores": scores, "seconds": seconds}), encoding="utf-8")


if __name__ == "__main__":
    main()
