"""What a self-check calls. Every failure says which property failed, what was expected and what
came back; values are compared with numbers stored in the check (a hand-computed case), never
with a package function the student could call instead — and :func:`own_work` fails a solution
that calls the package's own implementation."""
from __future__ import annotations

import math
import types

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


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _names(constant)
    return names


def own_work(function, *package_names: str) -> None:
    """Fail if ``function`` (or a function defined inside it) refers to one of ``package_names``
    — the package's implementation of the exercise: the exercise is to write it."""
    used = sorted(_names(function.__code__) & set(package_names))
    expect(f"{function.__name__} written without the package's {', '.join(package_names)}", not used,
           "no call to them", f"a call to {', '.join(used)}")


CHOICES = ("higher", "lower", "about the same")


def prediction_beside_outcome(prediction, before: float, after: float, quantity: str, change: str,
                              tolerance: float) -> str:
    """A predict-run-explain exercise's check: ``prediction`` is ``(choice, reason)`` written before
    the run (``choice`` one of :data:`CHOICES`, ``reason`` a sentence), ``before``/``after`` the
    measured ``quantity`` without and with the ``change``; a change within ``tolerance`` counts as
    "about the same". Fails if the prediction is not filled in or the run did not happen; otherwise
    returns Markdown with the prediction beside the outcome. A wrong prediction passes — explaining
    it is the exercise."""
    expect("the prediction", isinstance(prediction, tuple) and len(prediction) == 2, "a pair (choice, reason)",
           repr(prediction))
    choice, reason = prediction
    expect("the predicted direction", choice in CHOICES, " or ".join(map(repr, CHOICES)), repr(choice))
    expect("the reason", isinstance(reason, str) and len(reason.split()) >= 4, "a sentence of at least four words",
           repr(reason))
    expect("the experiment's numbers", all(isinstance(v, (int, float, np.floating)) and math.isfinite(v)
                                           for v in (before, after)), "two finite numbers", (before, after))
    difference = float(after) - float(before)
    outcome = "about the same" if abs(difference) <= tolerance else ("higher" if difference > 0 else "lower")
    verdict = ("Your prediction matched the run." if outcome == choice else
               "Your prediction did not match the run: explain in one paragraph what you missed.")
    return (f"| {quantity} | value |\n|---|---|\n| before ({change}: no) | {before:.3g} |\n"
            f"| after ({change}) | {after:.3g} |\n| change | {difference:+.3g} (±{tolerance:g} counts as the same) |\n\n"
            f"**You predicted** {choice} — {reason}\n\n**The run:** {outcome}. {verdict}")
