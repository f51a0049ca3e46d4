"""What a self-check calls. Every failure says which property failed, what was expected and what
came back; values are compared with numbers stored in the check (a hand-computed case), never
with a package function the student could call instead — and :func:`own_work` fails a solution
that calls the package's own implementation."""
from __future__ import annotations

import importlib
import inspect
import math
import sys
import types
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np


def _array(value) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=float)


def _shown(value: np.ndarray) -> str:
    return np.array2string(value, precision=4, threshold=12, suppress_small=True) if value.ndim else f"{float(value):.6g}"


def expect(prop: str, ok: bool, expected, got) -> None:
    """Fail with ``"<prop>: expected <expected>, got <got>"`` unless ``ok``."""
    if not ok:
        raise AssertionError(f"{prop}: expected {expected}, got {got}")


def expect_close(prop: str, got, expected, atol: float = 1e-6, rtol: float = 1e-6) -> None:
    """Fail unless ``got`` equals the stored ``expected`` (same shape, element-wise within
    ``atol + rtol·|expected|``), with both values in the message."""
    got_array, expected_array = _array(got), _array(expected)
    expect(f"{prop} (shape)", got_array.shape == expected_array.shape, expected_array.shape, got_array.shape)
    expect(prop, bool(np.allclose(got_array, expected_array, atol=atol, rtol=rtol, equal_nan=False)),
           _shown(expected_array), _shown(got_array))


def _codes(code: types.CodeType) -> set[types.CodeType]:
    """``code`` and every code object defined inside it (nested functions, lambdas, comprehensions)."""
    found = {code}
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            found |= _codes(constant)
    return found


def _callables(item) -> list:
    """What ``item`` covers: a module's (or a module named by its dotted name's) public functions
    and classes that belong to its package (defined there or imported from another of its
    modules), a class's methods, or ``item`` itself."""
    if isinstance(item, str):
        item = importlib.import_module(item)
    if isinstance(item, types.ModuleType):
        root = item.__name__.split(".")[0] + "."
        return [value for name, value in sorted(vars(item).items()) if not name.startswith("_")
                and (getattr(value, "__module__", None) or "").startswith(root)
                and (inspect.isfunction(value) or inspect.isclass(value))]
    return [item]


def _name(value) -> str:
    """``vadcore.metrics.minmax``, ``torch.pixel_shuffle``."""
    own = value.__name__ if inspect.isbuiltin(value) else getattr(value, "__qualname__", repr(value))
    return f"{getattr(value, '__module__', None) or ''}.{own}".lstrip(".")


def _functions(value):
    """The functions behind ``value``: a class's methods (static and class methods and property
    accessors included), or ``value`` itself; decorated ones unwrapped."""
    for member in vars(value).values() if inspect.isclass(value) else [value]:
        member = getattr(member, "__func__", member)
        for function in [member.fget, member.fset] if isinstance(member, property) else [member]:
            if callable(function):
                yield inspect.unwrap(function)


def _covered(items) -> tuple[dict, dict]:
    """``({code object: name}, {id of a builtin: name})`` of everything ``items`` cover: Python
    functions are known by their code (an alias, a default argument or ``getattr`` calls the same
    code), builtins (C functions, e.g. ``torch.pixel_shuffle``) by identity."""
    codes, builtins = {}, {}
    for value in (value for item in items for value in _callables(item)):
        for function in _functions(value):
            if inspect.isfunction(function):
                codes[function.__code__] = _name(value)
            elif inspect.isbuiltin(function):
                builtins[id(function)] = _name(value)
    return codes, builtins


def _caller_in(frame, codes: set) -> bool:
    """Whether ``frame`` or a frame that called it runs one of ``codes``."""
    while frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


@contextmanager
def own_work(function, *covered):
    """While the ``with`` block runs, fail if ``function`` calls — directly or through anything it
    calls — a function of the package's implementation of the exercise: every public function and
    class of each module in ``covered`` (and each function, class or builtin given there). Calls
    are traced at run time (:func:`sys.setprofile`) and matched by code object, so a call through
    ``getattr``, an alias bound elsewhere or a default argument is caught like a plain one. Also
    fails if ``function`` never ran inside the block, or is not a function written in Python."""
    own = getattr(function, "__code__", None)
    name = getattr(function, "__name__", repr(function))
    expect(f"{name} is a function you wrote", isinstance(function, types.FunctionType), "a Python function",
           type(function).__name__)
    student = _codes(own)
    codes, builtins = _covered(covered)
    called, ran = [], []

    def profile(frame, event, arg):
        if event == "call" and frame.f_code in codes and _caller_in(frame, student):
            called.append(codes[frame.f_code])
        elif event == "c_call" and id(arg) in builtins and _caller_in(frame, student):
            called.append(builtins[id(arg)])
        elif event == "call" and frame.f_code is own:
            ran.append(True)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        yield
    finally:
        sys.setprofile(previous)
    package = ", ".join(c if isinstance(c, str) else _name(c) for c in covered)
    expect(f"{name} written without the package's implementation ({package})", not called, "no call to it",
           f"a call to {', '.join(dict.fromkeys(called))}")
    expect(f"{name} ran in its check", bool(ran), "at least one call", "none")


CHOICES = ("higher", "lower", "about the same")
EXPLANATION_POINTS = 2  # the explanation of a predict-run-explain exercise, graded by hand


@dataclass(frozen=True)
class Prediction:
    """A prediction as :func:`record_prediction` took it, before the experiment ran: what the
    student's function returned, or the error it raised."""

    answer: object = None
    error: str = ""


def record_prediction(function) -> Prediction:
    """Call the student's prediction function now — before the experiment cell, so that the
    outcome is nowhere yet to be read — and keep its answer, frozen: the check compares this
    record, not a second call, with the outcome. An error (the unsolved stub) is recorded, not
    raised, so the experiment still runs and the check fails with it."""
    try:
        return Prediction(function())
    except Exception as error:  # noqa: BLE001 — whatever the student's function raised, the check reports it
        return Prediction(error=f"{type(error).__name__}: {error}")


def prediction_beside_outcome(prediction: Prediction, before: float, after: float, quantity: str, change: str,
                              tolerance: float) -> str:
    """A predict-run-explain exercise's check, worth the prediction only: ``prediction`` is the
    record of ``(choice, reason)`` taken before the run (:func:`record_prediction`; ``choice`` one
    of :data:`CHOICES`, ``reason`` a sentence), ``before``/``after`` the measured ``quantity``
    without and with the ``change``; a change within ``tolerance`` counts as "about the same".
    Fails if no prediction was recorded or the run did not happen; otherwise returns Markdown with
    the prediction beside the outcome. A wrong prediction passes — the explanation that follows
    is graded by the teacher."""
    recorded = isinstance(prediction, Prediction)
    expect("the prediction recorded before the run", recorded and not prediction.error, "a record of record_prediction",
           prediction.error if recorded else repr(prediction))
    answer = prediction.answer
    expect("the prediction", isinstance(answer, tuple) and len(answer) == 2, "a pair (choice, reason)", repr(answer))
    choice, reason = answer
    expect("the predicted direction", choice in CHOICES, " or ".join(map(repr, CHOICES)), repr(choice))
    expect("the reason", isinstance(reason, str) and len(reason.split()) >= 4, "a sentence of at least four words",
           repr(reason))
    expect("the experiment's numbers", all(isinstance(v, (int, float, np.floating)) and math.isfinite(v)
                                           for v in (before, after)), "two finite numbers", (before, after))
    difference = float(after) - float(before)
    outcome = "about the same" if abs(difference) <= tolerance else ("higher" if difference > 0 else "lower")
    verdict = ("Your prediction matched the run." if outcome == choice else
               "Your prediction did not match the run: say in your explanation what you missed.")
    return (f"| {quantity} | value |\n|---|---|\n| before ({change}: no) | {before:.3g} |\n"
            f"| after ({change}) | {after:.3g} |\n| change | {difference:+.3g} (±{tolerance:g} counts as the same) |\n\n"
            f"**You predicted** {choice} — {reason}\n\n**The run:** {outcome}. {verdict}")


def explanation_rubric(answer: int) -> str:
    """The answer key's rubric for the explanation of a predict-run-explain exercise (graded by
    hand, :data:`EXPLANATION_POINTS`); ``answer`` is the answer key's item that explains the outcome."""
    return (f"**Rubric for the explanation of the predict-run-explain exercise** ({EXPLANATION_POINTS} points, graded "
            f"by hand): 1 point for the mechanism that moved the number (answer {answer} above), in the student's own "
            "words; 1 point for tying it to this run's numbers — where the prediction missed, for naming the "
            "assumption that failed; where it matched, for saying what would have made it fail. Restating the "
            "numbers or the prediction earns nothing.")
