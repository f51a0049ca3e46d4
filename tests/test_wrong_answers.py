"""Every wrong answer tried on a lab fails its self-check, hidden tests included (``docs/teaching.md``).

The teacher's notebook runs in this process, cell by cell, up to its last function exercise (at
`smoke`, outputs in a temporary folder): each teacher's solution must pass its check, and each
wrong answer below, put in its place, must make the check raise ``AssertionError``. A wrong
answer is the source a student might type into the solution cell (with anything it binds in
"another cell" before the function)."""
import nbformat
import pytest

from vadcore.reproduce import list_notebooks
from vadcore.teaching import exercises

WRONG = {
    ("00", 1): {
        "changes the caller's array in place": '''
def normalise(scores):
    scores = np.asarray(scores, dtype=float)
    scores -= scores.min()
    if scores.max() > 0:
        scores /= scores.max()
    return scores
''',
        "divides by the maximum": '''
def normalise(scores):
    scores = np.asarray(scores, dtype=float)
    return np.zeros_like(scores) if scores.max() == scores.min() else scores / scores.max()
''',
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
        "no per-clip normalisation for the micro AUC": '''
def micro_and_macro_auc(scores, labels):
    from sklearn.metrics import roc_auc_score

    micro = roc_auc_score(np.concatenate(labels), np.concatenate(scores))
    per_clip = [roc_auc_score(y, s) for s, y in zip(scores, labels) if 0 < np.sum(y) < len(y)]
    return float(micro), float(np.mean(per_clip))
''',
        "an alias of the package's metrics bound in another cell": '''
protocol_metrics = metrics.frame_metrics


def micro_and_macro_auc(scores, labels):
    found = protocol_metrics(scores, labels)
    return found.micro_auc, found.macro_auc
''',
    },
    ("00", 3): {
        "subtracts uint8 frames before casting (wraps)": '''
def copy_last_frame_psnr(frames):
    frames = np.asarray(frames)
    mse = (((frames[1:] - frames[:-1]).astype(float) / 255) ** 2).reshape(len(frames) - 1, -1).mean(axis=1)
    return 10 * np.log10(1 / np.maximum(mse, 1e-10))
''',
        "frames not scaled to [0, 1]": '''
def copy_last_frame_psnr(frames):
    frames = np.asarray(frames, dtype=float)
    mse = ((frames[1:] - frames[:-1]) ** 2).reshape(len(frames) - 1, -1).mean(axis=1)
    return 10 * np.log10(1 / np.maximum(mse, 1e-10))
''',
        "the package's PSNR": '''
def copy_last_frame_psnr(frames):
    from vadcore.quality import psnr

    frames = np.asarray(frames, dtype=float) / 255
    return np.asarray(psnr(frames[:-1], frames[1:]))
''',
    },
    ("02", 1): {
        "H_t in place of H_(t-1)": '''
def alpha(T):
    harmonic = np.cumsum(1.0 / np.arange(1, T + 1))
    t = np.arange(1, T + 1)
    return 2.0 * (T - t + 1) - (T + 1) * (harmonic[T - 1] - harmonic[t - 1])
''',
        "the package's weights through an alias": '''
weights_of = attention.dynamic_image_weights


def alpha(T):
    return weights_of(T)
''',
    },
    ("02", 2): {
        "divides by max |M|": '''
def attention_from(M, B=0.1):
    M = np.asarray(M, dtype=float)
    top = np.abs(M).max()
    return (np.zeros_like(M) if top == 0 else np.abs(M) / top) + B
''',
        "min-max normalises M": '''
def attention_from(M, B=0.1):
    M = np.asarray(M, dtype=float)
    span = np.ptp(M)
    return (np.zeros_like(M) if span == 0 else (M - M.min()) / span) + B
''',
    },
    ("02", 3): {
        "the attention map applied along one axis only": '''
def attention_gradient_loss(prediction, target, A):
    def absolute_gradients(x):
        rows = torch.nn.functional.pad((x[..., 1:, :] - x[..., :-1, :]).abs(), (0, 0, 1, 0))
        columns = torch.nn.functional.pad((x[..., :, 1:] - x[..., :, :-1]).abs(), (1, 0, 0, 0))
        return rows, columns

    (pred_rows, pred_columns), (rows, columns) = absolute_gradients(prediction), absolute_gradients(target)
    return (pred_rows - rows).abs().mean() + (A * (pred_columns - columns)).abs().mean()
''',
        "the difference of signed gradients": '''
def attention_gradient_loss(prediction, target, A):
    def gradients(x):
        rows = torch.nn.functional.pad(x[..., 1:, :] - x[..., :-1, :], (0, 0, 1, 0))
        columns = torch.nn.functional.pad(x[..., :, 1:] - x[..., :, :-1], (1, 0, 0, 0))
        return rows, columns

    (pred_rows, pred_columns), (rows, columns) = gradients(prediction), gradients(target)
    return (A * (pred_rows - rows)).abs().mean() + (A * (pred_columns - columns)).abs().mean()
''',
        "the package's loss through getattr": '''
def attention_gradient_loss(prediction, target, A):
    from vadcore import losses

    return getattr(losses, "gradient" + "_loss")(prediction, target, A)
''',
    },
    ("05", 1): {
        "one direction only": '''
def hausdorff(a, b):
    distance = 1 - torch.nn.functional.normalize(a, dim=-1) @ torch.nn.functional.normalize(b, dim=-1).T
    return 2 * distance.min(1).values.sum() / a.shape[-1]
''',
        "the package's distance, already imported by the notebook": '''
def hausdorff(a, b):
    return hausdorff_distance(a[None], b[None])[0, 0]
''',
    },
    ("05", 2): {
        "weights divided by their sum instead of a softmax": '''
def centre(weights, image, crop):
    (h, w), (height, width) = weights.shape, image
    low = torch.tensor([(crop - 1) / 2, (crop - 1) / 2])
    high = torch.tensor([width - 1 - (crop - 1) / 2, height - 1 - (crop - 1) / 2])
    ys, xs = torch.meshgrid(torch.linspace(low[1], high[1], h), torch.linspace(low[0], high[0], w), indexing="ij")
    anchors = torch.stack([xs.flatten(), ys.flatten()], 1)
    middle = (low + high) / 2
    share = weights.flatten().exp() - 1
    point = middle + (share / share.sum()) @ (anchors - middle)
    return torch.minimum(torch.maximum(point, low), high)
''',
    },
    ("05", 3): {
        "off-by-one eligibility (> for >=)": '''
def draw_episode(labels, way, shot, queries, rng):
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    eligible = sorted(c for c, members in by_class.items() if len(members) > shot + queries)
    support, support_labels, query, query_labels = [], [], [], []
    for position, k in enumerate(rng.choice(len(eligible), way, replace=False)):
        drawn = [int(i) for i in rng.choice(by_class[eligible[k]], shot + queries, replace=False)]
        support += drawn[:shot]
        support_labels += [position] * shot
        query += drawn[shot:]
        query_labels += [position] * queries
    return support, support_labels, query, query_labels
''',
        "always the first clips of each class": '''
def draw_episode(labels, way, shot, queries, rng):
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    eligible = sorted(c for c, members in by_class.items() if len(members) >= shot + queries)
    support, support_labels, query, query_labels = [], [], [], []
    for position, k in enumerate(rng.choice(len(eligible), way, replace=False)):
        drawn = by_class[eligible[k]][: shot + queries]
        support += drawn[:shot]
        support_labels += [position] * shot
        query += drawn[shot:]
        query_labels += [position] * queries
    return support, support_labels, query, query_labels
''',
        "ignores the rng argument": '''
def draw_episode(labels, way, shot, queries, rng):
    mine = np.random.default_rng()
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    eligible = sorted(c for c, members in by_class.items() if len(members) >= shot + queries)
    support, support_labels, query, query_labels = [], [], [], []
    for position, k in enumerate(mine.choice(len(eligible), way, replace=False)):
        drawn = [int(i) for i in mine.choice(by_class[eligible[k]], shot + queries, replace=False)]
        support += drawn[:shot]
        support_labels += [position] * shot
        query += drawn[shot:]
        query_labels += [position] * queries
    return support, support_labels, query, query_labels
''',
        "numpy's global random state": '''
def draw_episode(labels, way, shot, queries, rng):
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    eligible = sorted(c for c, members in by_class.items() if len(members) >= shot + queries)
    support, support_labels, query, query_labels = [], [], [], []
    for position, k in enumerate(np.random.choice(len(eligible), way, replace=False)):
        drawn = [int(i) for i in np.random.choice(by_class[eligible[k]], shot + queries, replace=False)]
        support += drawn[:shot]
        support_labels += [position] * shot
        query += drawn[shot:]
        query_labels += [position] * queries
    return support, support_labels, query, query_labels
''',
        "the package's sampler through an alias": '''
from vadcore.data import episodes as sampling


def draw_episode(labels, way, shot, queries, rng):
    episode = sampling.sample_episode(labels, way, shot, queries, rng)
    return list(episode.support), list(episode.support_labels), list(episode.query), list(episode.query_labels)
''',
    },
}
LISTED_IN_THE_ISSUE = [("00", 1, "changes the caller's array in place"), ("00", 2, "returns the hand case's constant"),
                       ("00", 3, "subtracts uint8 frames before casting (wraps)"),
                       ("02", 3, "the attention map applied along one axis only"),
                       ("05", 3, "off-by-one eligibility (> for >=)"), ("05", 3, "always the first clips of each class"),
                       ("05", 3, "ignores the rng argument")]
CASES = [(number, exercise, name) for (number, exercise), tried in WRONG.items() for name in tried]


def _run(source: str, namespace: dict, label: str) -> None:
    exec(compile(source, label, "exec"), namespace)  # noqa: S102 — the notebook's own cells


@pytest.fixture(scope="module")
def checks(tmp_path_factory):
    """``{(notebook, exercise): (namespace before its solution cell, its check's source)}``, from
    the teacher's notebooks run in this process up to their last exercise listed in WRONG (each
    teacher's solution passes its check on the way)."""
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VADCORE_DATA", str(tmp_path_factory.mktemp("data")))
        patch.setenv("VADCORE_RESULTS", str(tmp_path_factory.mktemp("results")))
        patch.delenv("VADCORE_NOTEBOOK", raising=False)
        patch.setattr("vadcore.report.save_figure", lambda fig, folder, stem: __import__("matplotlib.pyplot").pyplot.close(fig))
        for number in sorted({n for n, _ in WRONG}):
            notebook = nbformat.read(str(list_notebooks()[number]), as_version=4)
            tested = {e.solution: e for e in exercises(notebook) if (number, e.number) in WRONG}
            namespace = {"__name__": "__main__"}
            for index, cell in enumerate(notebook.cells[: max(e.check for e in tested.values()) + 1]):
                if cell.cell_type != "code":
                    continue
                if index in tested:
                    exercise = tested[index]
                    found[number, exercise.number] = (dict(namespace), notebook.cells[exercise.check].source)
                _run(cell.source, namespace, f"<{number} cell {index}>")
    return found


def test_every_exercise_of_labs_00_02_05_has_wrong_answers_and_the_issue_s_are_there():
    assert sorted(WRONG) == [(n, e) for n in ("00", "02", "05") for e in (1, 2, 3)]
    assert all(name in WRONG[n, e] for n, e, name in LISTED_IN_THE_ISSUE)
    assert len(CASES) == 25


@pytest.mark.parametrize("number, exercise, name", CASES, ids=[f"{n}-ex{e}-{w}" for n, e, w in CASES])
def test_a_wrong_answer_fails_its_check(checks, number, exercise, name):
    namespace, check = checks[number, exercise]
    namespace = dict(namespace)
    _run(WRONG[number, exercise][name], namespace, f"<wrong answer: {name}>")
    with pytest.raises(AssertionError):
        _run(check, namespace, f"<{number} check of exercise {exercise}>")
