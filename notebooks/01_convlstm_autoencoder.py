# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01 — The ConvLSTM autoencoder tutorial, and Conv-AE
#
# This notebook follows the tutorial *Prototyping an anomaly detection system for videos,
# step-by-step using LSTM convolutional autoencoder* (Towards Data Science, 2019; after Chong &
# Tay, "Abnormal event detection in videos using spatiotemporal autoencoder", ISNN 2017) step by
# step — why unsupervised, data preparation, model, training, regularity score — and then goes
# beyond it: frame-level AUC with the protocol of notebook 00, for the tutorial's model and for
# the Conv-AE of Hasan et al. ("Learning temporal regularity in video sequences", CVPR 2016).
# These two are the "ConvLSTM-AE" and "3DConv-AE" rows that the attention-driven-loss paper
# (notebook 02) compares against.
#
# Profiles: `smoke` (default, synthped, minutes), `cpu` (real UCSD Ped2, reduced size and widths),
# `gpu` (256×256, full widths, a short schedule: minutes on one GPU), `full` (the tutorial's
# schedule; GPU).
#
# **In this lab you will**
# 1. prepare video for an autoencoder: sliding windows and temporal-stride augmentation;
# 2. build and train a convolutional-LSTM autoencoder and a convolutional one, and choose how long
#    to train from held-out *training* clips, never from test labels;
# 3. turn reconstruction errors into a regularity score — and fix the tutorial's bug in it;
# 4. judge the result against scores that learn nothing at the same size.
#
# **Before:** notebook 00 (the protocol and the trivial scores). Classroom time: about 40 min for
# the 4 exercises (5 + 10 + 15 + 10), 6 points
# and 2 for an explanation your teacher grades. The measured time of this notebook per profile (from its last recorded run):

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | gpu | full
device = "auto"  # auto (the GPU if there is one) | cpu | cuda | cuda:N
dataset = None  # None: synthped for smoke, ucsd_ped2 for cpu, gpu and full
data_root = None  # folder of a real dataset; None: data/<name>
results_dir = None  # None: results/<profile>/01_convlstm_autoencoder
seeds = None  # None: the profile's seeds (smoke: [0]; cpu, gpu, full: [0, 1, 2])
iterations = None  # None: each model's schedule for the profile; a number retrains both models
lr = 1e-4  # Adam's learning rate (the tutorial's)

# %%
import numpy as np

from vadcore import baselines, figures, metrics, report
from vadcore.data.clips import ClipDataset
from vadcore.data.showcase import middle_anomalous_frame, showcase_clips
from vadcore.methods import TRAINED, reconstruction
from vadcore.notebook import finish, start
from vadcore.papers import convlstm_ae as paper
from vadcore.report.rows import per_seed, reference_rows, seed_metrics, table_verdicts
from vadcore.teaching import (expect_close, explanation_rubric, own_work, prediction_beside_outcome, record_prediction,
                              runtime_table)

lab = start(profile, dataset, data_root, seeds, results_dir, notebook="01_convlstm_autoencoder", device=device)
lab.show(runtime_table(lab.name))
study = lab.study(paper.study(profile, lab.dataset, lab.seeds, device=lab.kind, iterations=iterations, lr=lr))  # trained or read
configs, results = study.configs, study.results  # by (row, seed)
first = configs[next(iter(paper.MODELS)), lab.seeds[0]]
data = lab.data_for(first)
print(data, "working size", first.size, "seeds", lab.seeds)

# %% [markdown]
# ## 1. Why not supervised?
#
# Treating anomaly detection as binary classification needs labelled anomalies, and those are
# (1) rare by definition and (2) endlessly varied, so labelling enough of them is hopeless. The
# tutorial therefore learns only what *normal* looks like, from videos that contain (almost) no
# anomalies, and flags what the model cannot explain.
#
# ## 2. The method: reconstruction error
#
# An autoencoder learns to reconstruct its input through a bottleneck: encoder $f(x)$, decoder
# $r = g(f(x))$. Trained on regular video only, it reconstructs regular motion well and irregular
# motion badly; the **reconstruction error** is the anomaly score.
#
# ## 3. Data preparation
#
# The tutorial (on UCSD Ped1) (1) cuts training videos into 10-frame sequences with a sliding window,
# (2) resizes frames to 256×256, (3) scales pixels to [0, 1], and (4) augments in time by
# **skipping frames**: a stride-2 sequence takes frames 1, 3, 5, …, 19. We use strides 1, 2 and 3
# (`ClipDataset(..., strides=(1, 2, 3))`) and the profile's frame size.

# %%
windows = ClipDataset(data.train[:1], length=10, strides=(1, 2, 3), value_range=(0.0, 255.0))
per_stride = {s: next(i for i, w in enumerate(windows.windows) if w[2] == s) for s in (1, 2, 3)}
rows = [[windows[i][t, 0].numpy() for t in range(0, 10, 2)] for i in per_stride.values()]
fig = figures.image_table(rows, [f"stride {s}\nframes {', '.join(map(str, list(windows.frame_indices(i))[:3]))}, …"
                                 for s, i in per_stride.items()], [f"step {t + 1}" for t in range(0, 10, 2)])
fig.suptitle("Training sequences with temporal strides 1, 2, 3 (every second step shown)", y=1.02)
lab.figure(fig, "fig1_temporal_strides")
print(f"{len(ClipDataset(data.train, 10, (1, 2, 3)))} training windows in {len(data.train)} clips")

# %% [markdown]
# ### Your turn 1 — temporal strides · 1 point · ≈ 5 min
#
# Write `stride_window(start, stride, length=10)`: the frame indices of the training sequence that
# starts at frame `start` and takes every `stride`-th frame. The check compares it with windows
# written out by hand (one that does not start at frame 0, so multiplying the start by the stride
# gives another answer) and fails if the function asks `ClipDataset` for its `frame_indices`.

# %% tags=["solution"]
def stride_window(start, stride, length=10):
    """Frame indices of a training sequence: ``length`` frames from ``start``, ``stride`` apart.

    Hint: range() with a step.
    """
    return list(range(start, start + stride * length, stride))


# %% tags=["self-check"]
with own_work(stride_window, "vadcore.data.clips"):
    expect_close("stride_window(0, 2)", stride_window(0, 2), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18], atol=0)
    expect_close("stride_window(5, 3, length=4)", stride_window(5, 3, length=4), [5, 8, 11, 14], atol=0)
    ### BEGIN HIDDEN TESTS
    for i, (_, begin, stride) in enumerate(windows.windows):
        expect_close(f"stride_window({begin}, {stride}) (a window of ClipDataset)", stride_window(begin, stride),
                     list(windows.frame_indices(i)), atol=0)
    ### END HIDDEN TESTS
print("stride_window: correct")

# %% [markdown]
# ## 4. The model
#
# The encoder takes the frames of a sequence in order: a **spatial encoder** (two convolutions
# per frame: 128 filters 11×11 stride 4, then 64 filters 5×5 stride 2) and a **temporal
# encoder–decoder** of convolutional LSTMs (64 → 32 → 64 channels) that keeps the spatial layout,
# which a fully connected LSTM would destroy. The decoder mirrors the spatial encoder with transposed
# convolutions. Layer normalisation follows every layer (batch normalisation is ill-suited to
# recurrent networks). The convolutions are linear, the last one has a sigmoid, weights start with
# Xavier initialisation: `vadcore.models.SpatioTemporalAE`.
#
# Conv-AE (Hasan et al.) instead stacks the 10 frames as channels of one image and reconstructs
# the whole cuboid with 2-D convolutions, pooling and unpooling: `vadcore.models.ConvAE`.

# %%
for row in paper.MODELS:
    config = configs[row, lab.seeds[0]]
    model = reconstruction.build(config)
    print(f"{row}: {sum(p.numel() for p in model.parameters()):,} parameters (width {config.width})")
print(reconstruction.build(first))

# %% [markdown]
# ## 5. Training
#
# Adam with learning rate $10^{-4}$ and $\epsilon = 10^{-6}$ (the tutorial's settings), mean squared
# reconstruction error, batches of 4 random training windows, a fixed number of iterations per
# profile. Two training clips are held out (`smoke`, `cpu`): every 100 iterations the model
# reconstructs them, and that **validation error** — of normal video the model never trained on —
# is how the schedule was chosen: it should have stopped falling by the last iteration. Beside it,
# the detection AUC of pseudo-anomalies made from the same clips (a stretch sped up, a stretch
# reversed, a moving patch of another clip: `vadcore.data.pseudo`) says whether a longer or shorter
# schedule would detect better — a reading that chose nothing here. The last
# iteration's weights are evaluated; no checkpoint is chosen on the test set. Each (model, seed) is
# one run in the run cache: re-running the notebook reuses it, and an interrupted run resumes from
# its last checkpoint.

# %%
fig = figures.training_curves({f"{row}, seed {s}": r.curves["loss"] for (row, s), r in results.items()},
                              "training loss (MSE)")
lab.figure(fig, "fig2_training_loss")
if "val_mse" in results[next(iter(results))].curves:
    curves = {f"{row}, seed {s}": (r.curves["val_step"], r.curves["val_mse"]) for (row, s), r in results.items()}
    fig = figures.validation_curves(curves, {}, ylabel="validation MSE per pixel",
                                    title="Reconstruction error of the held-out training clips")
    lab.figure(fig, "fig3_validation_curves")
if "val_pseudo_auc" in results[next(iter(results))].curves:
    curves = {f"{row}, seed {s}": (r.curves["val_step"], 100 * r.curves["val_pseudo_auc"]) for (row, s), r in results.items()}
    fig = figures.validation_curves(curves, {"chance": 50.0}, ylabel="pseudo-anomaly AUC %",
                                    title="Detection of pseudo-anomalies made from the held-out clips")
    lab.figure(fig, "fig3b_pseudo_anomaly_curves")
    lab.show("\n".join(f"- {label}: {values[-1]:.1f} % at the last iteration, best {values.max():.1f} % at iteration "
                        f"{int(steps[values.argmax()])}" for label, (steps, values) in curves.items()))

# %% [markdown]
# ## 6. The regularity score
#
# The reconstruction error of pixel $(x, y)$ of frame $t$ is $e(x,y,t) = \lVert I(x,y,t) - F_w(I(x,y,t)) \rVert_2$,
# and of the frame $e(t) = \sum_{x,y} e(x,y,t)$. Every window of 10 frames that contains frame $t$
# reconstructs it; we average $e(t)$ over those windows, so every frame gets a score (the tutorial
# computes one cost per sequence). Then
#
# $$s_a(t) = \frac{e(t) - \min_t e(t)}{\max_t e(t) - \min_t e(t)}, \qquad s_r(t) = 1 - s_a(t).$$
#
# **A bug in the tutorial's code:** it divides by $\max_t e(t)$ instead of $\max_t e(t) - \min_t e(t)$,
# so $s_r$ never reaches 0 and its range depends on the clip's error floor. We use the correct
# formula (`vadcore.metrics.regularity`); the figure shows both on one clip.

# %%
showcase = showcase_clips(data)
index, description = showcase[0]
error = results[next(iter(paper.MODELS)), lab.seeds[0]].scores["error"][index]
lab.figure(figures.regularity_formula(error, data.test[index].labels, f"ConvLSTM-AE on test clip {description}"),
           "fig4_regularity_formula")

# %% [markdown]
# ### Your turn 2 — the regularity score, without the bug · 2 points · ≈ 10 min
#
# Write `regularity_score(errors)`: $s_r(t)$ of one clip's errors $e(t)$, with the correct
# denominator. The check uses hand-computed values (on the first, the tutorial's denominator gives
# 1, 0.8, 0.6, 0.2 instead of 1, 0.75, 0.5, 0; the second has its largest error first) and fails if
# the function calls the package's `metrics.regularity` or `metrics.minmax`.

# %% tags=["solution"]
def regularity_score(errors):
    """s_r(t) = 1 − (e(t) − min e) / (max e − min e) for one clip's reconstruction errors e.

    Hint: subtract the minimum, divide by the range (not by the maximum), subtract from 1.
    """
    errors = np.asarray(errors, dtype=float)
    return 1 - (errors - errors.min()) / (errors.max() - errors.min())


# %% tags=["self-check"]
with own_work(regularity_score, "vadcore.metrics"):
    expect_close("regularity_score([2, 4, 6, 10])", regularity_score([2.0, 4.0, 6.0, 10.0]), [1.0, 0.75, 0.5, 0.0])
    expect_close("regularity_score([9, 5, 7, 5])", regularity_score([9.0, 5.0, 7.0, 5.0]), [0.0, 1.0, 0.5, 1.0])
    ### BEGIN HIDDEN TESTS
    given = np.array([3.0, 1.0, 5.0])  # a float array: an answer that changes its input in place changes this one
    expect_close("regularity_score([3, 1, 5])", regularity_score(given), [0.5, 1.0, 0.0])
    expect_close("the errors after regularity_score([3, 1, 5]) (unchanged)", given, [3.0, 1.0, 5.0])
    expect_close("regularity_score(a test clip's errors)", regularity_score(error), metrics.regularity([error])[0])
    ### END HIDDEN TESTS
print("regularity_score: correct")

# %% [markdown]
# ### Your turn 3 — one error per frame from overlapping windows · 2 points · ≈ 15 min
#
# Every 10-frame window that contains frame $t$ reconstructs it. Write `frame_errors(window_errors,
# n_frames)`: given `window_errors[w, k]`, the error of frame `w + k` in the window that starts at
# frame `w`, return each frame's mean over the windows that contain it. The check uses two
# hand-computed cases — in the second, the middle frame is in three windows that disagree, so a sum,
# a median or a division by the window length gives another answer — and windows that agree on
# every frame, which must give that frame's value back.

# %% tags=["solution"]
def frame_errors(window_errors, n_frames):
    """Per-frame mean of the errors of the sliding windows that contain each frame.

    Hint: accumulate a sum and a count per frame index w + k, then divide.
    """
    window_errors = np.asarray(window_errors, dtype=float)
    totals, counts = np.zeros(n_frames), np.zeros(n_frames)
    for w, row in enumerate(window_errors):
        totals[w : w + len(row)] += row
        counts[w : w + len(row)] += 1
    return totals / counts


# %% tags=["self-check"]
with own_work(frame_errors, "vadcore.methods.reconstruction"):
    expect_close("frame_errors of two 2-frame windows", frame_errors([[1.0, 2.0], [3.0, 4.0]], 3), [1.0, 2.5, 4.0])
    expect_close("frame_errors of three 3-frame windows",
                 frame_errors([[1.0, 2.0, 9.0], [3.0, 4.0, 5.0], [0.0, 6.0, 2.0]], 5), [1.0, 2.5, 13 / 3, 5.5, 2.0])
    per_frame = np.arange(14.0) ** 2  # windows that agree on every frame give that frame's value back
    expect_close("frame_errors of five 10-frame windows that agree", frame_errors([per_frame[w : w + 10] for w in range(5)], 14),
                 per_frame)
    ### BEGIN HIDDEN TESTS
    given = np.array([[1.0, 3.0], [5.0, 7.0], [2.0, 2.0], [8.0, 0.0]])
    expect_close("frame_errors of four 2-frame windows over 5 frames", frame_errors(given, 5), [1.0, 4.0, 4.5, 5.0, 0.0])
    expect_close("the window errors after frame_errors (unchanged)", given, [[1.0, 3.0], [5.0, 7.0], [2.0, 2.0], [8.0, 0.0]])
    expect_close("frame_errors of one window over the whole clip", frame_errors([[2.0, 4.0, 6.0]], 3), [2.0, 4.0, 6.0])
    ### END HIDDEN TESTS
print("frame_errors: correct")

# %% [markdown]
# ## 7. Are we doing well? Regularity of four test clips
#
# The tutorial reads its curves clip by clip (a bicycle enters, the score drops; it leaves, the
# score recovers). Below, four test clips with different kinds of anomaly; anomalous frames shaded.

# %%
indices = [i for i, _ in showcase]
curves = {row: [metrics.regularity([results[row, lab.seeds[0]].scores["error"][i]])[0] for i in indices]
          for row in paper.MODELS}
fig = figures.score_curves(curves, [data.test[i].labels for i in indices], [d for _, d in showcase],
                           ylabel="regularity $s_r(t)$")
lab.figure(fig, "fig5_regularity_curves")

# %% [markdown]
# ## 8. Beyond the tutorial: frame-level AUC
#
# The tutorial stops at curves. Here both models go through the protocol of notebook 00
# (per-clip min–max, micro AUC over all frames as the headline, mean ± std over seeds). The paper
# column holds the ADL paper's Table I values of the corresponding rows, where the dataset is one
# the paper used. The reference rows are the scores that learn nothing, at the same frame size.

# %%
ours = per_seed(results, paper.MODELS, lab.seeds)  # micro AUC % per seed
predictor = study.value["predictor"]
reference = reference_rows(baselines.trivial_predictions(predictor, data), data.test, frame_difference_first=True)
lab.show(report.paper_table(
    lab.out, "table1_auc", paper.TABLE, lab.dataset, ours, reference,
    footnote=f"Micro AUC %, mean ± std over seeds {lab.seeds}; last iteration evaluated. Paper: ADL Table I (its "
             f"ConvLSTM-AE row is Luo et al. 2017; ours is the tutorial's Chong & Tay model). Ours at "
             f"{first.size[0]}×{first.size[1]}, widths {configs[next(iter(paper.MODELS)), lab.seeds[0]].width} / "
             f"{configs[list(paper.MODELS)[1], lab.seeds[0]].width} of the original (see Deviations). Reference rows "
             f"at the same size: frame difference drops each clip's first frame, the trivial predictors its first "
             f"{predictor.frames}; the autoencoders score every frame."))
lab.show(table_verdicts(paper.CLAIMS.values(), paper.TABLE, lab.dataset, ours, reference))

# %%
trivial = baselines.evaluate_trivial(data.test, lab.seeds)
rows = {**seed_metrics(results, paper.MODELS, lab.seeds), "frame difference": trivial["frame difference"]}
lab.show(report.metrics_table(lab.out, "table2_all_metrics", rows, f"Table 2. Every protocol metric on {lab.dataset}",
                              footnote="Reconstruction models score every frame; frame difference drops each clip's "
                                       "first frame."))

# %% [markdown]
# ### Your turn 4 — predict, run, explain: the tutorial's denominator · 1 point · ≈ 10 min
#
# The next cell scores every test frame of the tutorial's model twice — with the correct
# $s_a(t) = (e(t) - \min_t e(t)) / (\max_t e(t) - \min_t e(t))$ and with the tutorial code's
# $(e(t) - \min_t e(t)) / \max_t e(t)$ — and computes one ROC-AUC over all test frames of each,
# without the protocol's per-clip min–max (which would undo the difference). **Before you run it**,
# write down in `denominator_prediction()` whether the micro AUC will come out higher, lower or about
# the same (within 1 point) with the tutorial's denominator, and why. The check shows your
# prediction beside the outcome; a wrong prediction passes — explain it in the discussion.

# %% tags=["solution"]
def denominator_prediction():
    """``(choice, reason)``: ``choice`` is "higher", "lower" or "about the same"; ``reason`` one sentence.

    Hint: within one clip, which frames does the tutorial's score rank above which? And across clips?
    """
    return ("about the same", "within a clip the tutorial's score is the correct one times (max e − min e) / max e, "
                              "so it ranks the clip's frames alike and only rescales whole clips against each other")


# %%
prediction = record_prediction(denominator_prediction)  # taken now, before the experiment below runs, and kept

# %%
from sklearn.metrics import roc_auc_score

tutorial_model = next(iter(paper.MODELS))
every_label = np.concatenate([video.labels for video in data.test])
correct_auc, tutorial_auc = [], []
for s in lab.seeds:
    errors = results[tutorial_model, s].scores["error"]
    correct_auc.append(100 * roc_auc_score(every_label, np.concatenate([metrics.minmax(e) for e in errors])))
    tutorial_auc.append(100 * roc_auc_score(every_label, np.concatenate([(e - e.min()) / e.max() for e in errors])))

# %% tags=["self-check"]
lab.show(prediction_beside_outcome(prediction, np.mean(correct_auc), np.mean(tutorial_auc),
                                   f"{tutorial_model} micro AUC (%)", "the tutorial's ÷ max e", tolerance=1.0))

# %% [markdown]
# **Your explanation · 2 points, graded by your teacher.** In one paragraph, explain the outcome
# above with the numbers of this run: which mechanism moved the number, and — if your prediction
# missed — which assumption failed. Write it in the next cell.

# %% [markdown] tags=["explanation"]
# *Write your explanation here.*

# %% [markdown]
# ## 9. Where the error is: reconstruction-error maps
#
# For an anomalous frame of two test clips: the frame, each model's reconstruction, and the
# per-pixel squared error (averaged over the windows containing the frame), both models' errors on
# one colour scale, and how many times larger each model's mean error is on the anomaly's pixels
# than on the rest of the frame.

# %%
image_rows, row_labels, contrast = [], [], {}  # contrast: error on the anomaly's pixels ÷ error elsewhere
for index, description in showcase[:2]:
    video = data.test[index]
    t = middle_anomalous_frame(video.labels)
    row = [video.frames[t]]
    for name in paper.MODELS:
        config = configs[name, lab.seeds[0]]
        error = lab.read_off(config, reconstruction.frame_error_map, TRAINED, video, t, first.window)
        row += [255 * lab.read_off(config, reconstruction.reconstruct_frame, TRAINED, video, t, first.window), error]
        if video.masks is not None and video.masks[t].any():
            contrast[description, name] = error[video.masks[t]].mean() / error[~video.masks[t]].mean()
    image_rows.append(row)
    row_labels.append(f"{description}\nframe {t + 1}")
columns = ["frame"] + [f"{name.split(' (')[0]} {kind}" for name in paper.MODELS for kind in ("reconstruction", "error")]
fig = figures.image_table(image_rows, row_labels, columns, cmaps=["gray", "gray", "magma", "gray", "magma"],
                          colorbar_label="squared error", shared_scale=True)
lab.figure(fig, "fig6_error_maps")
lab.show("\n".join(f"- {d}, {name}: the mean error on the anomaly's pixels is {ratio:.1f}× that on the rest"
                   for (d, name), ratio in contrast.items()))

# %% [markdown]
# ## Questions for discussion

# %%
best = max(paper.MODELS, key=lambda row: np.mean(ours[row]))
strongest = max(reference, key=lambda name: reference[name][0])
margin = np.mean(ours[best]) - reference[strongest][0]
validated = "val_mse" in results[next(iter(results))].curves
bug_change = np.mean(tutorial_auc) - np.mean(correct_auc)
lab.show("\n".join([
    f"1. The better autoencoder here, {best}, reaches {np.mean(ours[best]):.1f} %; {strongest}, which learns "
    f"nothing, reaches {reference[strongest][0]:.1f} % at the same size. "
    + ("What would have to change — data, size, schedule, model — for the autoencoder to clearly beat it, and "
       "which would you try first?" if margin < 0 else
       f"Is a margin of {margin:.1f} points enough to say the autoencoder learned something a copy of the past "
       "cannot do, and what would you check before saying so?"),
    ("2. The validation curves show the reconstruction error of held-out normal clips. Why is that a fair way "
     "to choose the schedule, and what would be wrong with choosing it on the test AUC?" if validated else
     "2. This profile trains on every training clip and keeps the tutorial's schedule. How could you choose a "
     "schedule without test labels, and what would be wrong with choosing it on the test AUC?"),
    "3. An autoencoder that reconstructs everything perfectly — anomalies included — detects nothing. Does any "
    "error map above show a model reconstructing an anomaly about as well as the rest of its frame, or better?",
    (f"4. The seeds' spread is ±{np.std(ours[best], ddof=1):.1f} points. " if len(lab.seeds) > 1 else
     "4. This run has one seed, so it says nothing about the spread between seeds. ")
    + "How large must a difference between two rows of Table 1 be before you believe it?",
    f"5. With the tutorial's ÷ max e, {tutorial_model}'s micro AUC is {np.mean(tutorial_auc):.1f} % instead of "
    f"{np.mean(correct_auc):.1f} % ({bug_change:+.1f} points). Which metric of Table 2 can this bug not change at "
    "all, and why?",
]))

# %% tags=["answer-key"]
weakest = min(contrast, key=contrast.get) if contrast else None
rows_apart = abs(np.subtract(*[np.mean(values) for values in ours.values()]))
threshold = 2 * np.std(ours[best], ddof=1) * np.sqrt(2 / len(lab.seeds)) if len(lab.seeds) > 1 else np.nan
factors = [1 - e.min() / e.max() for e in results[tutorial_model, lab.seeds[0]].scores["error"]]
lab.show("\n".join([
    "**Answer key** (the teacher's copy only; student copies leave this cell out)",
    "1. " + (f"The autoencoder is {-margin:.1f} points below a score that learns nothing: at this size and "
             "schedule it has not learned normal motion better than copying it. First the cheapest change that "
             "the validation curves support — a longer schedule if the held-out error still falls, else larger "
             f"frames and widths{' (the `gpu` profile)' if lab.profile in ('smoke', 'cpu') else ''}; a new model "
             "only after those."
             if margin < 0 else
             f"Only if {margin:.1f} points is well beyond the seeds' spread (question 4) and the trivial predictor "
             "was scored on the same frames; then ask which frames it wins — fast objects the copy also flags, or "
             "slow and still anomalies a copy cannot see."),
    "2. " + ("Held-out training clips are normal video the model never trained on, so their error measures how "
             "well it has learned normality without reading a test label. Choosing on the test AUC fits the "
             "schedule to the test anomalies: the reported AUC is then optimistic, and no longer the result of an "
             "unsupervised method." if validated else
             "Hold out training clips and stop where their reconstruction error stops falling (as `smoke`, `cpu` "
             "and `gpu` do); choosing on the test AUC fits the schedule to the test anomalies and makes the "
             "reported AUC optimistic."),
    "3. " + ("No anomaly mask at these frames: compare the object's brightness in the error map with the "
             "pedestrians'." if weakest is None else
             f"Lowest: {weakest[1]} on “{weakest[0]}”, whose error on the anomaly's pixels is "
             f"{contrast[weakest]:.1f}× that on the rest of the frame"
             + (", so the model reconstructs the anomaly better than the background: its error cannot flag it."
                if contrast[weakest] < 1 else
                ", so the anomaly is reconstructed almost as well as the background — too well to stand out."
                if contrast[weakest] < 2 else
                "; every map here still marks the anomaly clearly, so none reconstructs it too well at this frame.")),
    "4. " + (f"With {len(lab.seeds)} seeds and a spread of ±{np.std(ours[best], ddof=1):.1f} points, a difference "
             f"of two rows must exceed about 2·std·√(2/n) = {threshold:.1f} points before it is more than seed noise; "
             f"Table 1's two autoencoders differ by {rows_apart:.1f} points"
             + (", so their order is not settled." if rows_apart < threshold else ", beyond that.")
             if len(lab.seeds) > 1 else
             "One seed cannot tell a difference from seed noise: rerun with several seeds (`cpu` uses three) and "
             f"compare the difference with their spread. Table 1's two autoencoders differ by {rows_apart:.1f} points "
             "here, which one seed cannot confirm."),
    f"5. The macro AUC: within a clip the tutorial's score is the correct one times (max e − min e) / max e, a "
    f"positive factor (here {min(factors):.2f} to {max(factors):.2f} across clips), so every clip ranks its frames "
    "alike and its AUC is unchanged. Only the micro AUC, which mixes the clips, can move: "
    + ("it stayed within a point; rescaling whole clips reorders frames only between clips, and here what that "
       "reordering gained it also lost."
       if abs(bug_change) <= 1 else
       f"it went {'up' if bug_change > 0 else 'down'} {abs(bug_change):.1f} points, because clips whose error "
       "barely varies are squashed towards 0 (normal) — which here "
       + ("removed more false alarms from quiet normal stretches than it hid anomalies." if bug_change > 0 else
          "hid more anomalous frames (clips that are anomalous throughout vary little) than it removed false alarms.")),
    explanation_rubric(5),
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in paper.DEVIATIONS))
finish(lab, timings={f"{row} seed {s}": r.timings for (row, s), r in results.items()})
