"""Print the autograded scores of one nbgrader assignment as JSON.

Run with the competitors' Python inside the course directory:
``python nbgrader_scores.py ASSIGNMENT`` prints
``{student: {grade_id: score}}``.
"""

import json
import sys

from nbgrader.api import Gradebook


def main() -> None:
    assignment = sys.argv[1]
    scores = {}
    with Gradebook("sqlite:///gradebook.db") as gb:
        for submission in gb.assignment_submissions(assignment):
            grades = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    grades[grade.name] = grade.score
            scores[submission.student.id] = grades
    print(json.dumps(scores, sort_keys=True))


if __name__ == "__main__":
    main()
