"""The ConvLSTM autoencoder tutorial and Hasan et al.'s Conv-AE (notebook 01): references, the
rows of the attention-driven-loss paper's Table I that quote them, and our deviations.

Neither source has a results table of its own on Ped2 that we reproduce: the tutorial stops at
regularity curves on Ped1. The paper values shown next to ours are the ADL paper's Table I rows
"ConvLSTM-AE" (Luo et al. 2017, a different ConvLSTM autoencoder) and "3DConv-AE" (Hasan et al.).
"""
from __future__ import annotations

from vadcore.papers import Claim, PaperTable, Reference
from vadcore.papers.adl import TABLE_1

TUTORIAL = Reference("Towards Data Science", "Prototyping an anomaly detection system for videos, step-by-step "
                     "using LSTM convolutional autoencoder", "tutorial (blog post)", 2019)
CHONG_TAY = Reference("Y. S. Chong, Y. H. Tay", "Abnormal event detection in videos using spatiotemporal autoencoder",
                      "ISNN", 2017)
HASAN = Reference("M. Hasan, J. Choi, J. Neumann, A. K. Roy-Chowdhury, L. S. Davis",
                  "Learning temporal regularity in video sequences", "CVPR", 2016)

#: Where each numbered equation, table and figure of the tutorial lives in this project — none:
#: the tutorial numbers nothing (its formulas and figures are unnumbered images). Its per-frame
#: error e(t) is :func:`vadcore.methods.reconstruction.reconstruction_errors` and its regularity
#: score Sr(t) :func:`vadcore.metrics.regularity`; notebook 01 walks through both (section 6).
IMPLEMENTED: dict[str, str] = {}

# our row → (reconstruction model, the quoted row of ADL Table I)
MODELS = {"ConvLSTM-AE (tutorial)": "convlstm_ae", "Conv-AE (Hasan et al.)": "conv_ae"}
TABLE = PaperTable("Table 1", "Frame-level AUC of the reconstruction baselines", TABLE_1.columns, {
    "ConvLSTM-AE (tutorial)": TABLE_1.rows["ConvLSTM-AE"],
    "Conv-AE (Hasan et al.)": TABLE_1.rows["3DConv-AE"],
})

CLAIMS = {row: Claim(f"{row} reaches the paper's {quoted} row", row)
          for row, quoted in (("ConvLSTM-AE (tutorial)", "ConvLSTM-AE"), ("Conv-AE (Hasan et al.)", "3DConv-AE"))}

DEVIATIONS = (
    "**Dataset:** the tutorial trains and shows its curves on UCSD Ped1; `cpu`, `gpu` and `full` use Ped2, the dataset "
    "of the other notebooks (Ped1 loads the same way: `dataset=\"ucsd_ped1\"`).",
    "**Frame size and width:** the tutorial trains at 256×256 with the full channel counts (128/64/32); `smoke` "
    "and `cpu` use smaller frames and scale every channel count (`width`) to fit a 2-core CPU. `gpu` and `full` use "
    "256×256 and full widths (`gpu` on schedules of 1,500 and 3,000 iterations, not yet chosen on validation curves).",
    "**Schedule:** a fixed number of iterations of 4 random windows (strides 1, 2, 3) instead of the tutorial's "
    "3 epochs over non-overlapping sequences; the `cpu` schedules come from the validation curves of section 5. "
    "The tutorial's Keras learning-rate decay (1e-5 per update, < 1 % over this schedule) is not applied.",
    "**Validation clips:** `smoke`, `cpu` and `gpu` train on the training clips minus two held out for validation.",
    "**Per-frame cost:** the tutorial's cost is one number per 10-frame sequence; ours averages each frame's "
    "error e(t) over the windows that contain it, so every frame gets a score — at `smoke` over the windows starting "
    "every 10th frame for the ConvLSTM-AE, every 5th for the Conv-AE (`score_stride`: one or two windows per frame "
    "instead of ten, the smoke notebooks' largest cost).",
    "**Regularity score:** the correct min–max formula, not the tutorial code's ÷ max (section 6).",
    "**Conv-AE:** Adam (lr 1e-4) instead of Hasan et al.'s AdaGrad, 10-frame cuboids at the profile size instead "
    "of 227×227, a sigmoid output for frames in [0, 1].",
    "**Paper values:** the ADL paper's Table I rows; its ConvLSTM-AE is Luo et al. 2017, a different ConvLSTM "
    "autoencoder from the tutorial's.",
)


def study(profile: str, dataset: str, seeds, *, device: str, iterations: int | None = None, lr: float = 1e-4, **_):
    """Notebook 01's runs (:mod:`vadcore.methods.study`): both autoencoders with every seed, in one
    stage, labelled ``(row, seed)``. Returns the prediction config whose size the trivial
    predictors are scored at (the reference rows)."""
    from vadcore.methods import prediction, reconstruction

    schedule = {} if iterations is None else {"iterations": iterations}
    runs = {(row, seed): reconstruction.profile_config(profile, dataset, seed, model=model, lr=lr, **schedule, device=device)
            for row, model in MODELS.items() for seed in seeds}
    yield runs
    return {"predictor": prediction.profile_config(profile, dataset, size=next(iter(runs.values())).size, device=device)}
