# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
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
# **Before:** notebook 00 (the protocol and the trivial scores). The measured time of this notebook
# per profile (from its last recorded run):

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
from vadcore.methods import load_model, reconstruction
from vadcore.metrics import FrameMetrics
from vadcore.notebook import finish, start
from vadcore.papers import convlstm_ae as paper
from vadcore.teaching import runtime_table

lab = start(profile, dataset, data_root, seeds, results_dir, device=device)
lab.show(runtime_table(lab.name))
study = lab.study(paper.study(profile, lab.dataset, lab.seeds, iterations=iterations, lr=lr))  # trained or read
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
# ### Your turn 1 — temporal strides
#
# Write `stride_window(start, stride, length=10)`: the frame indices of the training sequence that
# starts at frame `start` and takes every `stride`-th frame. The check compares it with the windows
# `ClipDataset` builds above.

# %% tags=["solution"]
def stride_window(start, stride, length=10):
    """Frame indices of a training sequence: ``length`` frames from ``start``, ``stride`` apart.

    Hint: range() with a step.
    """
    return list(range(start, start + stride * length, stride))


# %% tags=["self-check"]
assert stride_window(0, 2) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]
for i, (_, start, stride) in enumerate(windows.windows):
    assert stride_window(start, stride) == list(windows.frame_indices(i))
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
# ### Your turn 2 — the regularity score, without the bug
#
# Write `regularity_score(errors)`: $s_r(t)$ of one clip's errors $e(t)$, with the correct
# denominator. The check uses hand-computed values and the package on a real clip.

# %% tags=["solution"]
def regularity_score(errors):
    """s_r(t) = 1 − (e(t) − min e) / (max e − min e) for one clip's reconstruction errors e.

    Hint: subtract the minimum, divide by the range (not by the maximum), subtract from 1.
    """
    errors = np.asarray(errors, dtype=float)
    return 1 - (errors - errors.min()) / (errors.max() - errors.min())


# %% tags=["self-check"]
np.testing.assert_allclose(regularity_score([2.0, 4.0, 6.0, 10.0]), [1.0, 0.75, 0.5, 0.0])
np.testing.assert_allclose(regularity_score(error), metrics.regularity([error])[0])
print("regularity_score: correct")

# %% [markdown]
# ### Your turn 3 — one error per frame from overlapping windows
#
# Every 10-frame window that contains frame $t$ reconstructs it. Write `frame_errors(window_errors,
# n_frames)`: given `window_errors[w, k]`, the error of frame `w + k` in the window that starts at
# frame `w`, return each frame's mean over the windows that contain it.

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
np.testing.assert_allclose(frame_errors([[1.0, 2.0], [3.0, 4.0]], 3), [1.0, 2.5, 4.0])
per_frame = np.arange(14.0) ** 2  # windows that agree on every frame give that frame's value back
np.testing.assert_allclose(frame_errors([per_frame[w : w + 10] for w in range(5)], 14), per_frame)
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
ours = {row: [100 * results[row, s].metrics["micro_auc"] for s in lab.seeds] for row in paper.MODELS}
reference = {"frame difference": [100 * baselines.frame_difference_metrics(data.test).micro_auc]}
predictor = study.value["predictor"]
for name, outcome in baselines.trivial_predictions(predictor, data).items():
    reference[name] = [100 * outcome["metrics"]["micro_auc"]]
lab.show(report.paper_table(
    lab.out, "table1_auc", paper.TABLE, lab.dataset, ours, reference,
    footnote=f"Micro AUC %, mean ± std over seeds {lab.seeds}; last iteration evaluated. Paper: ADL Table I (its "
             f"ConvLSTM-AE row is Luo et al. 2017; ours is the tutorial's Chong & Tay model). Ours at "
             f"{first.size[0]}×{first.size[1]}, widths {configs[next(iter(paper.MODELS)), lab.seeds[0]].width} / "
             f"{configs[list(paper.MODELS)[1], lab.seeds[0]].width} of the original (see Deviations). Reference rows "
             f"at the same size: frame difference drops each clip's first frame, the trivial predictors its first "
             f"{predictor.frames}; the autoencoders score every frame."))
for row in paper.MODELS:
    lab.show(report.table_verdict(paper.CLAIMS[row], paper.TABLE, lab.dataset, ours, reference))

# %%
trivial = baselines.evaluate_trivial(data.test, lab.seeds)
rows = {row: [FrameMetrics(**results[row, s].metrics) for s in lab.seeds] for row in paper.MODELS}
rows["frame difference"] = trivial["frame difference"]
lab.show(report.metrics_table(lab.out, "table2_all_metrics", rows, f"Table 2. Every protocol metric on {lab.dataset}",
                              footnote="Reconstruction models score every frame; frame difference drops each clip's "
                                       "first frame."))

# %% [markdown]
# ## 9. Where the error is: reconstruction-error maps
#
# For an anomalous frame of two test clips: the frame, each model's reconstruction, and the
# per-pixel squared error (averaged over the windows containing the frame), both models' errors on
# one colour scale.

# %%
models = {row: load_model(configs[row, lab.seeds[0]], data, lab.cache) for row in paper.MODELS}
image_rows, row_labels = [], []
for index, description in showcase[:2]:
    video = data.test[index]
    t = middle_anomalous_frame(video.labels)
    row = [video.frames[t]]
    for name, model in models.items():
        _, maps = reconstruction.reconstruction_errors(model, video, first.window, maps=True)
        row += [255 * reconstruction.reconstruct_frame(model, video, t, first.window), maps[t]]
    image_rows.append(row)
    row_labels.append(f"{description}\nframe {t + 1}")
columns = ["frame"] + [f"{name.split(' (')[0]} {kind}" for name in models for kind in ("reconstruction", "error")]
fig = figures.image_table(image_rows, row_labels, columns, cmaps=["gray", "gray", "magma", "gray", "magma"],
                          colorbar_label="squared error", shared_scale=True)
lab.figure(fig, "fig6_error_maps")

# %% [markdown]
# ## Questions for discussion

# %%
best = max(paper.MODELS, key=lambda row: np.mean(ours[row]))
strongest = max(reference, key=lambda name: reference[name][0])
lab.show("\n".join([
    f"1. The better autoencoder here, {best}, reaches {np.mean(ours[best]):.1f} %; {strongest}, which learns "
    f"nothing, reaches {reference[strongest][0]:.1f} % at the same size. What would have to change — data, "
    f"size, schedule, model — for the autoencoder to clearly beat it, and which would you try first?",
    "2. The validation curves show the reconstruction error of held-out normal clips. Why is that a fair way "
    "to choose the schedule, and what would be wrong with choosing it on the test AUC?",
    "3. An autoencoder that reconstructs everything perfectly — anomalies included — detects nothing. Which "
    "of the error maps above shows the model reconstructing an anomaly too well?",
    (f"4. The seeds' spread is ±{np.std(ours[best], ddof=1):.1f} points. " if len(lab.seeds) > 1 else
     "4. This run has one seed, so it says nothing about the spread between seeds. ")
    + "How large must a difference between two rows of Table 1 be before you believe it?",
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in paper.DEVIATIONS))
finish(lab, timings={f"{row} seed {s}": r.timings for (row, s), r in results.items()})
