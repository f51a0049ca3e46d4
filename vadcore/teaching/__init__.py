"""The lab layer of the notebooks (``docs/teaching.md``).

An exercise is a markdown cell headed ``### Your turn N — <task> · P points · ≈ M min``, a code
cell tagged ``solution`` that defines one or more functions, and a code cell tagged
``self-check`` that checks them against stored values (:mod:`~vadcore.teaching.checks`), with a
hidden part between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``; a predict-run-explain
exercise also has a markdown cell tagged ``explanation`` (graded by hand). Cells tagged
``answer-key`` hold the teacher's answers to the discussion questions and the explanation's rubric.

- :mod:`~vadcore.teaching.checks`: what a self-check calls (a message with the expected value on
  every failure, no call into the package's implementation while the check runs, a prediction
  recorded before its experiment, the rubric of the explanation graded by hand).
- :mod:`~vadcore.teaching.copies`: student copies and the release a teacher hands out.
- :mod:`~vadcore.teaching.grading`: the nbgrader course (solution regions, graded cells, points).
- :mod:`~vadcore.teaching.runtime`: the time a notebook takes to compute and in class.
"""
from vadcore.teaching.checks import (expect, expect_close, explanation_rubric, own_work, prediction_beside_outcome,
                                    record_prediction)
from vadcore.teaching.copies import (ANSWER_KEY, SELF_CHECK, SOLUTION, exercises, solution_leaks, student_notebook,
                                     stub, write_release)
from vadcore.teaching.runtime import runtime_table, this_run

__all__ = ["ANSWER_KEY", "SELF_CHECK", "SOLUTION", "exercises", "expect", "expect_close", "explanation_rubric",
           "own_work", "prediction_beside_outcome", "record_prediction", "runtime_table", "solution_leaks",
           "student_notebook", "stub", "this_run", "write_release"]
