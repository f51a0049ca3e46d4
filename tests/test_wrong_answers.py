"""Every wrong answer tried on a lab fails its self-check, hidden tests included (``docs/teaching.md``).

The teacher's notebook runs in this process, cell by cell, up to its last function exercise (at
`smoke`, outputs in a temporary folder): each teacher's solution must pass its check, and each
wrong answer below, put in its place, must make the check raise ``AssertionError`` — as many per
lab as :data:`TRIED` counts; the last test checks that every selected one ran and failed.

A wrong answer is written one of two ways:

- an **edit** of the teacher's solution cell, as the notebook holds it: a pair ``(old, new)``, or a
  list of pairs applied in order, each ``old`` found exactly once in the source at that point —
  one planted mistake, so that the rest of the answer is the teacher's and a change of the
  solution that moves the mistake's text fails here instead of testing something else;
- the **source** a student might type into the solution cell (a string, with anything it binds in
  "another cell" before the function), where the answer is no small edit of the teacher's: the
  ways around ``own_work`` (``getattr``, an alias, a default argument, the package's function).

:data:`NEEDED_A_HIDDEN_CASE` names the wrong answers that passed every check until a hidden hand
case was added for them, and the property of that case: its failure is the one they raise."""
import os
import re
from pathlib import Path

import nbformat
import pytest

from vadcore.reproduce import list_notebooks
from vadcore.teaching import exercises

WRONG = {
    ("00", 1): {
        "changes the caller's array in place": [("span = scores.max() - scores.min()",
                                                 "scores -= scores.min()\n    span = scores.max()"),
                                                ("(scores - scores.min()) / span", "scores / span")],
        "divides by the maximum": ("(scores - scores.min()) / span", "scores / scores.max()"),
        "calls metrics.minmax through getattr": '''
def normalise(scores):
    return getattr(metrics, "min" + "max")(np.asarray(scores, dtype=float))
''',
        "a default argument bound to the package's function": '''
def normalise(scores, scale=metrics.minmax):
    return scale(np.asarray(scores, dtype=float))
''',
    },
    ("00", 2): {
        "returns the hand case's constant": '''
def micro_and_macro_auc(scores, labels):
    return 11 / 14, 0.875
''',
        "no per-clip normalisation for the micro AUC": ("np.concatenate([normalise(s) for s in scores])",
                                                        "np.concatenate(scores)"),
        "an alias of the package's metrics bound in another cell": '''
protocol_metrics = metrics.frame_metrics


def micro_and_macro_auc(scores, labels):
    found = protocol_metrics(scores, labels)
    return found.micro_auc, found.macro_auc
''',
    },
    ("00", 3): {
        "subtracts uint8 frames before casting (wraps)": [
            ("np.asarray(frames, dtype=float) / 255", "np.asarray(frames)"),
            ("(frames[1:] - frames[:-1])", "((frames[1:] - frames[:-1]).astype(float) / 255)")],
        "frames not scaled to [0, 1]": ("np.asarray(frames, dtype=float) / 255", "np.asarray(frames, dtype=float)"),
        "the package's PSNR": '''
def copy_last_frame_psnr(frames):
    from vadcore.quality import psnr

    frames = np.asarray(frames, dtype=float) / 255
    return np.asarray(psnr(frames[:-1], frames[1:]))
''',
    },
    ("01", 1): {
        "one frame short (stops a stride early)": ("start + stride * length", "start + stride * (length - 1)"),
        "the stop not scaled by the stride": ("start + stride * length", "start + length"),
        "ten frames whatever the length": ("stride * length", "stride * 10"),
        "starts one stride after start": ("range(start, start + stride * length, stride)",
                                          "range(start + stride, start + stride * (length + 1), stride)"),
        "the start multiplied by the stride": ("range(start, start + stride * length, stride)",
                                               "range(start * stride, (start + length) * stride, stride)"),
        "ClipDataset.frame_indices through an alias, on a stand-in dataset": '''
indices_of = ClipDataset.frame_indices


def stride_window(start, stride, length=10):
    from types import SimpleNamespace

    return list(indices_of(SimpleNamespace(windows=[(0, start, stride)], length=length), 0))
''',
    },
    ("01", 2): {
        "divides by the maximum (the tutorial's bug)": ("(errors.max() - errors.min())", "errors.max()"),
        "the normalised error, not 1 minus it": ("return 1 - (errors", "return (errors"),
        "1 − e / max e (the minimum not subtracted)": ("1 - (errors - errors.min()) / (errors.max() - errors.min())",
                                                       "1 - errors / errors.max()"),
        "changes the caller's errors in place": (
            "return 1 - (errors - errors.min()) / (errors.max() - errors.min())",
            "errors -= errors.min()\n    return 1 - errors / errors.max()"),
        "the first and last errors taken for the smallest and largest": (
            "1 - (errors - errors.min()) / (errors.max() - errors.min())",
            "1 - (errors - errors[0]) / (errors[-1] - errors[0])"),
        "metrics.minmax as a default argument": '''
def regularity_score(errors, scale=metrics.minmax):
    return 1 - scale(errors)
''',
        "metrics.regularity through getattr": '''
def regularity_score(errors):
    return getattr(metrics, "regularity")([np.asarray(errors, dtype=float)])[0]
''',
    },
    ("01", 3): {
        "divides by the window length, not by the count": ("return totals / counts",
                                                           "return totals / window_errors.shape[1]"),
        "the sum, not the mean": ("return totals / counts", "return totals"),
        "the last window's error wins (= for +=)": ("totals[w : w + len(row)] += row", "totals[w : w + len(row)] = row"),
        "the maximum over the windows, not the mean": [
            ("totals[w : w + len(row)] += row", "totals[w : w + len(row)] = np.maximum(totals[w : w + len(row)], row)"),
            ("return totals / counts", "return totals")],
        "each window's mean error spread over its frames": ("totals[w : w + len(row)] += row",
                                                            "totals[w : w + len(row)] += row.mean()"),
        "the median over the windows, not the mean": '''
def frame_errors(window_errors, n_frames):
    per_frame = [[] for _ in range(n_frames)]
    for w, row in enumerate(np.asarray(window_errors, dtype=float)):
        for k, value in enumerate(row):
            per_frame[w + k].append(value)
    return np.array([np.median(values) for values in per_frame])
''',
    },
    ("02", 1): {
        "H_t in place of H_(t-1)": ("harmonic[t - 1]", "harmonic[t]"),
        "the package's weights through an alias": '''
weights_of = attention.dynamic_image_weights


def alpha(T):
    return weights_of(T)
''',
    },
    ("02", 2): {
        "divides by max |M|": ("span = np.ptp(M)", "span = np.abs(M).max()"),
        "min-max normalises M": ("np.abs(M) / span", "(M - M.min()) / span"),
    },
    ("02", 3): {
        "the attention map applied along one axis only": ("(A * (pred_rows - rows)).abs().mean()",
                                                          "(pred_rows - rows).abs().mean()"),
        "the difference of signed gradients": [
            ("(x[..., 1:, :] - x[..., :-1, :]).abs()", "x[..., 1:, :] - x[..., :-1, :]"),
            ("(x[..., :, 1:] - x[..., :, :-1]).abs()", "x[..., :, 1:] - x[..., :, :-1]")],
        "the package's loss through getattr": '''
def attention_gradient_loss(prediction, target, A):
    from vadcore import losses

    return getattr(losses, "gradient" + "_loss")(prediction, target, A)
''',
    },
    ("03", 1): {
        "the bins' left edges for their centres": ("centres = (edges[:-1] + edges[1:]) / 2", "centres = edges[:-1]"),
        "the split one bin late": ("centres[:-1][np.argmax", "centres[1:][np.argmax"),
        "μ0 − μ1 not squared": ("(m0 - m1) ** 2", "(m0 - m1)"),
        "|μ0 − μ1| for its square": ("(m0 - m1) ** 2", "np.abs(m0 - m1)"),
        "without the class weights w0·w1": ("w0 * w1 * (m0 - m1) ** 2", "(m0 - m1) ** 2"),
        "256 bins whatever bins says": ("bins=bins)", "bins=256)"),
        "the mean of the values": '''
def otsu(values, bins=256):
    return float(np.mean(values))
''',
        "skimage's threshold_otsu, which saliency.binarise calls": '''
from skimage.filters import threshold_otsu


def otsu(values, bins=256):
    return float(threshold_otsu(np.asarray(values), nbins=bins))
''',
    },
    ("03", 2): {
        "divides by the mask's pixel count": ("/ anomaly.sum()", "/ np.asarray(mask, bool).sum()"),
        "intersection over union": ("/ anomaly.sum()", "/ (anomaly | np.asarray(mask, bool)).sum()"),
        "divides by every pixel of the frame": ("/ anomaly.sum()", "/ anomaly.size"),
        "the share of the frame the mask covers": ("return float((anomaly & np.asarray(mask, bool)).sum() / anomaly.sum())",
                                                   "return float(np.asarray(mask, bool).mean())"),
        "the share of the anomaly outside the mask": ("(anomaly & np.asarray(mask, bool))",
                                                      "(anomaly & ~np.asarray(mask, bool))"),
        "changes the caller's anomaly mask in place": (
            "return float((anomaly & np.asarray(mask, bool)).sum() / anomaly.sum())",
            "total = anomaly.sum()\n    anomaly &= np.asarray(mask, bool)\n    return float(anomaly.sum() / total)"),
        "metrics.mask_coverage through an alias": '''
covered_share = metrics.mask_coverage


def coverage(mask, anomaly):
    return float(covered_share(mask, np.asarray(anomaly, bool)[None])[0])
''',
    },
    ("03", 3): {
        "the mean over the mask's pixels only": ("error.mean()", "error.sum() / np.asarray(mask).sum()"),
        "the mask left out": ("np.asarray(mask) * (np.asarray(prediction) - np.asarray(frame))",
                              "np.asarray(prediction) - np.asarray(frame)"),
        "only the prediction masked": ("np.asarray(mask) * (np.asarray(prediction) - np.asarray(frame))",
                                       "np.asarray(mask) * np.asarray(prediction) - np.asarray(frame)"),
        "peak 255 for peak 1": ("np.log10(1 /", "np.log10(255**2 /"),
        "20 log10 for 10 log10": ("10 * np.log10", "20 * np.log10"),
        "the root of the mean squared error": ("max(error.mean(), 1e-10)", "max(np.sqrt(error.mean()), 1e-10)"),
        "the notebook's psnr, already imported": '''
def masked_psnr(prediction, frame, mask):
    return float(psnr(np.asarray(prediction)[None], np.asarray(frame)[None], mask=np.asarray(mask))[0])
''',
    },
    ("04", 1): {
        "the two r axes swapped in the permute": ("permute(0, 1, 4, 2, 5, 3)", "permute(0, 1, 4, 3, 5, 2)"),
        "a reshape without the permute": (".permute(0, 1, 4, 2, 5, 3)", ""),
        "the block's rows and columns kept before H and W": ("permute(0, 1, 4, 2, 5, 3)", "permute(0, 1, 2, 4, 3, 5)"),
        "channels grouped as (r, r, C)": ("x.reshape(b, c // r**2, r, r, h, w).permute(0, 1, 4, 2, 5, 3)",
                                          "x.reshape(b, r, r, c // r**2, h, w).permute(0, 3, 4, 1, 5, 2)"),
        "torch.nn.functional.pixel_shuffle": '''
def pixel_shuffle(x, r):
    return torch.nn.functional.pixel_shuffle(x, r)
''',
    },
    ("04", 2): {
        "the softmax over the channels, not the positions": (
            "torch.softmax(variance.flatten(1), dim=1).view_as(variance)", "torch.softmax(variance, dim=1)"),
        "one softmax over the whole batch": ("torch.softmax(variance.flatten(1), dim=1)",
                                             "torch.softmax(variance.flatten(), dim=0)"),
        "the softmax along each row only (the last axis)": ("torch.softmax(variance.flatten(1), dim=1)",
                                                            "torch.softmax(variance, dim=-1)"),
        "the mean over the channels, not the sum": (".pow(2).sum(1, keepdim=True)", ".pow(2).mean(1, keepdim=True)"),
        "a division by the total, not a softmax": ("torch.softmax(variance.flatten(1), dim=1)",
                                                   "(variance.flatten(1) / variance.flatten(1).sum(1, keepdim=True))"),
        "no centring (Σ z²)": ("(projected - projected.mean(1, keepdim=True))", "projected"),
        "torch.var (unbiased)": ("(projected - projected.mean(1, keepdim=True)).pow(2).sum(1, keepdim=True)",
                                 "projected.var(1, keepdim=True)"),
    },
    ("04", 3): {
        "the distance, not its square": (".pow(2).sum(-1).min(-1)", ".pow(2).sum(-1).sqrt().min(-1)"),
        "the mean over the centres, not the nearest": (".min(-1).values.mean()", ".mean(-1).mean()"),
        "the farthest centre, not the nearest": (".min(-1).values.mean()", ".max(-1).values.mean()"),
        "summed over the positions, not averaged": (".min(-1).values.mean()", ".min(-1).values.sum()"),
        "the mean over D, not the sum": (".pow(2).sum(-1)", ".pow(2).mean(-1)"),
        "the channels read as positions (a reshape without the permute)": (
            "codes.permute(0, 2, 3, 1).unsqueeze(-2)", "codes.reshape(codes.shape[0], -1, codes.shape[1]).unsqueeze(-2)"),
        "KMeansLayer.nearest through getattr": '''
def compactness(codes, centres):
    layer = KMeansLayer(clusters=len(centres), dim=centres.shape[1])
    with torch.no_grad():
        layer.centres.copy_(centres)
    return getattr(layer, "nearest")(codes).mean()
''',
    },
    ("05", 1): {
        "one direction only": ("(distance.min(1).values.sum() + distance.min(0).values.sum())",
                               "2 * distance.min(1).values.sum()"),
        "the package's distance, already imported by the notebook": '''
def hausdorff(a, b):
    return hausdorff_distance(a[None], b[None])[0, 0]
''',
    },
    ("05", 2): {
        "weights divided by their sum instead of a softmax": [
            ("middle = (low + high) / 2", "middle = (low + high) / 2\n    share = weights.flatten().exp() - 1"),
            ("torch.softmax(weights.flatten(), 0)", "(share / share.sum())")],
    },
    ("05", 3): {
        "off-by-one eligibility (> for >=)": (">= shot + queries", "> shot + queries"),
        "always the first clips of each class": (
            "[int(i) for i in rng.choice(by_class[eligible[k]], shot + queries, replace=False)]",
            "by_class[eligible[k]][: shot + queries]"),
        "ignores the rng argument": ("by_class = {}", "rng = np.random.default_rng()\n    by_class = {}"),
        "numpy's global random state": ("by_class = {}", "rng = np.random\n    by_class = {}"),
        "the package's sampler through an alias": '''
from vadcore.data import episodes as sampling


def draw_episode(labels, way, shot, queries, rng):
    episode = sampling.sample_episode(labels, way, shot, queries, rng)
    return list(episode.support), list(episode.support_labels), list(episode.query), list(episode.query_labels)
''',
    },
    ("06", 1): {
        "the std with ddof=0": ("differences.std(ddof=1)", "differences.std(ddof=0)"),
        "1.96, the normal quantile, for t": ("mean(), t.ppf(0.975, n - 1) *", "mean(), 1.96 *"),
        "n degrees of freedom, not n − 1": ("mean(), t.ppf(0.975, n - 1)", "mean(), t.ppf(0.975, n)"),
        "the one-sided 95 % quantile": ("mean(), t.ppf(0.975", "mean(), t.ppf(0.95"),
        "the two sides' spreads as if unpaired": ("differences.std(ddof=1) / np.sqrt(n)",
                                                  "np.sqrt((np.var(better, ddof=1) + np.var(worse, ddof=1)) / n)"),
        "changes the caller's array in place": (
            "differences = np.asarray(better, float) - np.asarray(worse, float)",
            "differences = np.asarray(better, float)\n    differences -= np.asarray(worse, float)"),
        "report.difference_interval through an alias": '''
interval = report.difference_interval


def paired_interval(better, worse):
    return interval(better, worse)
''',
        "report.mean_interval as a default argument": '''
def paired_interval(better, worse, half_width=report.mean_interval):
    differences = np.asarray(better, float) - np.asarray(worse, float)
    return differences.mean(), half_width(differences)
''',
    },
    ("06", 2): {
        "single-class clips counted as 0.5": (
            "for s, l in zip(scores, labels) if 0 < np.mean(l) < 1]",
            "if 0 < np.mean(l) < 1 else 0.5 for s, l in zip(scores, labels)]"),
        "the micro AUC (every frame pooled)": (
            "return float(np.mean(aucs))", "return float(roc_auc_score(np.concatenate(labels), np.concatenate(scores)))"),
        "weighted by the clips' lengths": (
            "return float(np.mean(aucs))",
            "return float(np.average(aucs, weights=[len(l) for l in labels if 0 < np.mean(l) < 1]))"),
        "1 − AUC (the scores' direction reversed)": ("[roc_auc_score(", "[1 - roc_auc_score("),
        "ties counted as misses (pairs counted with >)": '''
def macro_auc(scores, labels):
    aucs = []
    for s, l in zip(scores, labels):
        s, l = np.asarray(s, float), np.asarray(l)
        if 0 < l.mean() < 1:
            aucs.append(np.mean(s[l == 1][:, None] > s[l == 0][None, :]))
    return float(np.mean(aucs))
''',
        "min–max normalises the caller's clips in place first": (
            "    aucs = [", "    scores = [np.asarray(s, float) for s in scores]\n    for s in scores:\n"
                            "        s -= s.min()\n        s /= max(s.max(), 1e-12)\n    aucs = ["),
        "metrics.frame_metrics through an alias": '''
all_metrics = metrics.frame_metrics


def macro_auc(scores, labels):
    return all_metrics(scores, labels).macro_auc
''',
    },
    ("06", 3): {
        "dense ranks (ties take one rank, the next follows on)": ("1 + better.sum(axis=1)",
                                                                   "[1 + len(set(values[row])) for row in better]"),
        "≥ for >: a value counts itself and its ties": ("values[None, :] > values[:, None] if",
                                                        "values[None, :] >= values[:, None] if"),
        "ignores higher_is_better": (" if higher_is_better else values[None, :] < values[:, None]", ""),
        "the values worse than each, not better (the other axis)": ("better.sum(axis=1)", "better.sum(axis=0)"),
        "average ranks for ties": ("return [int(r) for r in 1 + better.sum(axis=1)]",
                                   "ties = (values[None, :] == values[:, None]).sum(axis=1)\n"
                                   "    return [float(r) for r in 1 + better.sum(axis=1) + (ties - 1) / 2]"),
        "ordinal ranks (ties broken by position)": '''
def competition_ranks(values, higher_is_better=True):
    values = np.asarray(values, float)
    order = np.argsort(-values if higher_is_better else values, kind="stable")
    ranks = np.empty(len(values), int)
    ranks[order] = np.arange(1, len(values) + 1)
    return [int(r) for r in ranks]
''',
        "scipy's rankdata, which the leaderboard calls": '''
from scipy.stats import rankdata


def competition_ranks(values, higher_is_better=True):
    values = np.asarray(values, float)
    return [int(r) for r in rankdata(-values if higher_is_better else values, method="min")]
''',
    },
}
NEEDED_A_HIDDEN_CASE = {  # each passed every check (visible and hidden) until the hidden case named here was added
    ("01", 2, "changes the caller's errors in place"): "the errors after regularity_score([3, 1, 5]) (unchanged)",
    # it passed the hand cases and hit the read-only masks of the data with a ValueError, not a failed check
    ("03", 2, "changes the caller's anomaly mask in place"): "the anomaly mask after coverage (unchanged)",
    ("06", 1, "changes the caller's array in place"): "the better seeds after paired_interval (unchanged)",
    ("06", 2, "min–max normalises the caller's clips in place first"):
        "the hand-made clips' scores after macro_auc (unchanged)",
}
LISTED_IN_THE_ISSUE = [("00", 1, "changes the caller's array in place"), ("00", 2, "returns the hand case's constant"),
                       ("00", 3, "subtracts uint8 frames before casting (wraps)"),
                       ("02", 3, "the attention map applied along one axis only"),
                       ("05", 3, "off-by-one eligibility (> for >=)"), ("05", 3, "always the first clips of each class"),
                       ("05", 3, "ignores the rng argument")]
TRIED = {"00": 10, "01": 19, "02": 7, "03": 22, "04": 19, "05": 8, "06": 22}  # wrong answers run per lab
PARAMETERS = {"03": 'tables = ["1"]', "04": "ablations = False"}  # after the notebook's own, as papermill's: no
# run trained that no exercise reads (Table 3's and the ablations' runs come after the exercises)
_CAUGHT = []  # (notebook, exercise, name) of each wrong answer whose check failed, as the test below ran them
CASES = [(number, exercise, name) for (number, exercise), tried in WRONG.items() for name in tried]


def wrong_source(answer, solution: str) -> str:
    """The source of a wrong answer: ``answer`` itself, or the teacher's ``solution`` with its
    edits made, each ``old`` text found exactly once where it is made."""
    if isinstance(answer, str):
        return answer
    for old, new in [answer] if isinstance(answer, tuple) else answer:
        found = solution.count(old)
        assert found == 1, f"the edit's text {old!r} occurs {found} times in the solution, not once"
        solution = solution.replace(old, new)
    return solution


def _run(source: str, namespace: dict, label: str) -> None:
    exec(compile(source, label, "exec"), namespace)  # noqa: S102 — the notebook's own cells


def _notebook(number: str):
    return nbformat.read(str(list_notebooks()[number]), as_version=4)


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    """``{(notebook, exercise): (namespace before its solution cell, its solution's source, its
    check's source)}``, from the teacher's notebooks run in this process up to their last exercise
    listed in WRONG, with :data:`PARAMETERS` (each teacher's solution passes its check on the way),
    on the session's data folder and notebook run cache (synthped made once, nbval's runs read)."""
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VADCORE_RUNS", str(Path(os.environ["VADCORE_DATA"]) / "runs"))
        patch.setenv("VADCORE_RESULTS", str(tmp_path_factory.mktemp("results")))
        patch.delenv("VADCORE_NOTEBOOK", raising=False)
        patch.setattr("vadcore.report.save_figure", lambda fig, folder, stem: __import__("matplotlib.pyplot").pyplot.close(fig))
        for number in sorted({n for n, _ in WRONG}):
            notebook = _notebook(number)
            tested = {e.solution: e for e in exercises(notebook) if (number, e.number) in WRONG}
            namespace = {"__name__": "__main__"}
            for index, cell in enumerate(notebook.cells[: max(e.check for e in tested.values()) + 1]):
                if cell.cell_type != "code":
                    continue
                if index in tested:
                    exercise = tested[index]
                    found[number, exercise.number] = (dict(namespace), cell.source, notebook.cells[exercise.check].source)
                _run(cell.source, namespace, f"<{number} cell {index}>")
                if "parameters" in cell.metadata.get("tags", []):
                    _run(PARAMETERS.get(number, ""), namespace, f"<{number} parameters of this test>")
    return found


def test_every_function_exercise_has_wrong_answers_and_the_issue_s_are_there():
    function_exercises = sorted((number, e.number) for number in list_notebooks()
                                for e in exercises(_notebook(number)) if e.explanation is None)
    assert sorted(WRONG) == function_exercises  # every lab's "Your turn" functions, none left out
    assert all(name in WRONG[n, e] for n, e, name in LISTED_IN_THE_ISSUE)
    assert all(name in WRONG[n, e] for n, e, name in NEEDED_A_HIDDEN_CASE)
    assert all(len(tried) >= 3 for (number, _), tried in WRONG.items() if number in ("01", "03", "04", "06"))
    counted = {number: sum(len(tried) for (n, _), tried in WRONG.items() if n == number) for number in TRIED}
    assert counted == TRIED and len(CASES) == sum(TRIED.values())


def test_each_edit_is_made_once_on_its_solution_and_changes_it():
    """The edits, against the solutions as the notebooks hold them now (no notebook runs)."""
    for number in sorted({n for n, _ in WRONG}):
        notebook = _notebook(number)
        for exercise in exercises(notebook):
            solution = notebook.cells[exercise.solution].source
            for name, answer in WRONG.get((number, exercise.number), {}).items():
                source = wrong_source(answer, solution)
                assert source != solution, f"{number} exercise {exercise.number}, {name}: the teacher's solution"
                compile(source, name, "exec")


@pytest.mark.parametrize("number, exercise, name", CASES, ids=[f"{n}-ex{e}-{w}" for n, e, w in CASES])
def test_a_wrong_answer_fails_its_check(checks, number, exercise, name):
    namespace, solution, check = checks[number, exercise]
    namespace = dict(namespace)
    _run(wrong_source(WRONG[number, exercise][name], solution), namespace, f"<wrong answer: {name}>")
    caught_by = NEEDED_A_HIDDEN_CASE.get((number, exercise, name))
    with pytest.raises(AssertionError, match=None if caught_by is None else re.escape(caught_by)):
        _run(check, namespace, f"<{number} check of exercise {exercise}>")
    _CAUGHT.append((number, exercise, name))


def test_every_wrong_answer_ran_and_failed_its_check(request):
    """The parametrized test above ran each selected wrong answer and saw its check fail (this test
    runs after it, in this file's order). With the whole file selected that is every case of
    :data:`TRIED`, whose counts the static test above checks against :data:`WRONG`."""
    selected = [tuple(item.callspec.params[key] for key in ("number", "exercise", "name"))
                for item in request.session.items
                if getattr(item, "originalname", None) == "test_a_wrong_answer_fails_its_check"]
    assert selected, "no wrong answer was selected to run"
    assert sorted(_CAUGHT) == sorted(selected), ("not every selected wrong answer ran in this process and failed its "
                                                 "check (this file must run on one worker: --dist loadfile)")
