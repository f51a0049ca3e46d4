"""The lab layer of the notebooks (``docs/teaching.md``).

An exercise is a markdown cell headed ``### Your turn N — <task> · P points · ≈ M min``, a code
cell tagged ``solution`` that defines one or more functions, and a code cell tagged
``self-check`` that checks them against stored values (:mod:`~vadcore.teaching.checks`), with an
optional hidden part between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. Cells tagged
``answer-key`` hold the teacher's answers to the discussion questions.

- :mod:`~vadcore.teaching.checks`: what a self-check calls (a message with the expected value on
  every failure, no shortcut through the package, predict-run-explain).
- :mod:`~vadcore.teaching.copies`: student copies and the release a teacher hands out.
- :mod:`~vadcore.teaching.grading`: the nbgrader course (solution regions, graded cells, points).
- :mod:`~vadcore.teaching.runtime`: the time a notebook takes to compute and in class.
"""
from vadcore.teaching.checks import expect, expect_close, own_work, prediction_beside_outcome
from vadcore.teaching.copies import (ANSWER_KEY, SELF_CHECK, SOLUTION, exercises, solution_leaks, student_notebook,
                                     stub, write_release)
from vadcore.teaching.runtime import runtime_table, this_run

__all__ = ["ANSWER_KEY", "SELF_CHECK", "SOLUTION", "exercises", "expect", "expect_close", "own_work",
           "prediction_beside_outcome", "runtime_table", "solution_leaks", "student_notebook", "stub", "this_run",
           "write_release"]
