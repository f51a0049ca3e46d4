"""bfloat16 autocast, which the `gpu` and `full` profiles use on a GPU for the prediction and
dissociation families, trains like float32: at a small size, the training curves of three seeds in
each precision agree within the spread between seeds. (The reconstruction and few-shot families
stay in float32; their profiles say why.) On a GPU only (``pytest -m gpu``): a CPU never runs
bfloat16 (:func:`vadcore.engine.precision_on`)."""
import dataclasses

import numpy as np
import pytest

from vadcore.data import SynthPedConfig, load_dataset
from vadcore.methods import dissociation, prediction

SMALL = SynthPedConfig(seed=2, height=64, width=96, n_train=4, n_test=2, train_frames=40, test_frames=40)
SEEDS = (0, 1, 2)
pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    root = tmp_path_factory.mktemp("precision") / "synthped"
    return load_dataset("synthped", root, synth=SMALL, size=(32, 48), cache=False)


def tail_mean(curve: np.ndarray, tail: int = 20) -> float:
    return float(np.mean(curve[-tail:]))


def agree(config, family, data, terms):
    """Final training losses of ``terms`` per seed and precision; they must agree within twice
    the seeds' spread (or 2 % where the seeds all but coincide), and both must have learnt."""
    finals = {}
    for precision in ("fp32", "bf16"):
        runs = [family.train(dataclasses.replace(config, seed=s, device="cuda", precision=precision), data) for s in SEEDS]
        for term in terms:
            curves = [r.curves[term] for r in runs]
            assert all(tail_mean(c) < np.mean(c[:5]) for c in curves), f"{precision} {term} did not decrease"
            finals[precision, term] = [tail_mean(c) for c in curves]
    for term in terms:
        fp32, bf16 = np.array(finals["fp32", term]), np.array(finals["bf16", term])
        noise = max(np.std(fp32, ddof=1), np.std(bf16, ddof=1), 0.01 * abs(fp32.mean()))
        assert abs(bf16.mean() - fp32.mean()) <= 2 * noise, (term, fp32, bf16)
    return finals


def test_prediction_trains_alike_in_bfloat16_and_float32(videos):
    config = prediction.Config(size=(32, 48), width=8, discriminator=(8, 16, 32, 32), iterations=120, decay_at=None,
                               lr_generator=1e-3, lr_discriminator=1e-4, attention="learned")
    agree(config, prediction, videos.train, ("intensity", "gradient"))


def test_dissociation_trains_alike_in_bfloat16_and_float32(videos):
    config = dissociation.Config(size=(32, 48), width=8, clusters=8, iterations=100, pretrain=70, kmeans_windows=16,
                                 lr=1e-3)
    three = load_dataset("synthped", videos.root.parent, synth=SMALL, size=(32, 48), gray=False, cache=False)
    agree(config, dissociation, three.train, ("spatial", "motion"))
