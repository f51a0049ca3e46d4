# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 00 — Data and evaluation protocol
#
# Every later notebook stands on two things shown here: **the data** (the synthetic `synthped`
# scenes that run anywhere, and real UCSD Ped2) and **the evaluation protocol** that turns
# per-frame scores into the numbers of a paper's table. We finish with scores that learn nothing —
# random noise, raw motion energy, and two predictors that copy or extrapolate the last frame —
# so nobody mistakes an easy dataset for a good model: a learned model is only interesting where
# it beats them.
#
# Profiles: `smoke` (default) evaluates on `synthped`; `cpu` and `full` on real UCSD Ped2
# (`vadcore reproduce 00 --profile cpu`). Nothing is trained here, so `cpu` and `full` are the same.

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | full
dataset = None  # None: synthped for smoke, ucsd_ped2 for cpu and full
data_root = None  # folder of a real dataset; None: data/<name>
results_dir = None  # None: results/<profile>/00_data_and_protocol
seeds = [0, 1, 2, 3, 4]  # seeds of the random baseline

# %%
import numpy as np

from vadcore import baselines, figures, metrics, report
from vadcore.data import find_root
from vadcore.data.check import background_change, periodic_excess, summarize
from vadcore.methods import prediction
from vadcore.notebook import finish, start

lab = start(profile, dataset, data_root, seeds, results_dir)
data = lab.data()
previews = {"synthped": lab.data(dataset="synthped")}
if lab.dataset == "ucsd_ped2" or find_root("ucsd_ped2") is not None:
    previews["ucsd_ped2"] = lab.data(dataset="ucsd_ped2")
previews[lab.dataset] = data
data

# %% [markdown]
# ## 1. The data
#
# **`synthped`** is generated from a seed in a few seconds and written in the *official UCSD
# layout* (`Train/Train001/001.tif`, `Test/synthped.m`, `Test/Test001_gt/001.bmp`), so the loader
# that reads the real archive reads it too. A static camera looks down a walkway under
# perspective; pedestrians with a gait walk both ways and their number rises and falls within each
# clip. Test clips add UCSD's kinds of anomaly: bicycles (fast), carts (large), people cutting
# across the grass, runners. Frame labels mark frames where an anomalous object is visible, pixel
# masks its silhouette, and an extra `foreground/` folder the silhouette of every moving object.
#
# **UCSD Ped2** (real; the JPEG repack with the official pixel masks) is used when it is found in
# `data/ped2` or given as `data_root`. Its anomalies are bicycles, skaters and carts among
# pedestrians; 82 % of its test frames are anomalous.

# %%
rows = []
for name, videos in previews.items():
    s = summarize(videos, from_source=False, progress=False)
    rows.append([name, s.train_clips, s.test_clips, s.train_frames, s.test_frames, s.anomalous_frames,
                 f"{100 * s.anomalous_frames / s.test_frames:.1f}", "×".join(map(str, s.frame_shape)),
                 f"{s.clips_with_masks}/{s.test_clips}"])
lab.show(report.write_table(
    lab.out, "table1_datasets",
    ["dataset", "train clips", "test clips", "train frames", "test frames", "anomalous test frames",
     "anomalous %", "frame size", "test clips with masks"],
    rows, "Table 1. Datasets of this notebook"))

# %%
for name, videos in previews.items():
    fig = figures.dataset_preview(videos)
    fig.suptitle(f"{name}: training frames, then anomalous test frames (anomaly mask in red)", y=1.01)
    lab.figure(fig, f"fig1_preview_{name}")

# %%
fig = figures.dataset_preview(previews["synthped"], n_train=4, n_test=4, foreground=True)
fig.suptitle("synthped foreground masks (every moving object, red)", y=1.01)
lab.figure(fig, "fig2_synthped_foreground")

# %% [markdown]
# ## 2. The evaluation protocol (`vadcore.metrics`)
#
# One implementation serves every notebook:
#
# 1. **Per-frame score.** A predictor scores frame $t$ by the PSNR of its prediction,
#    $\mathrm{PSNR}_t = 10\log_{10}\dfrac{1}{\frac1N\sum_{i,j}(I_t - \hat I_t)^2}$ on images in
#    $[0,1]$ (ADL Eqs. 14–15 with AnoPred's peak of 1). A predictor from $t$ frames has no score
#    for the first $t$ frames of a clip: they are **dropped from scores and labels** (AnoPred's
#    convention). Frame difference needs the previous frame, so it drops the first frame.
# 2. **Per-video min–max normalisation** (ADL Eq. 16):
#    $S_t = \dfrac{\mathrm{PSNR}_t - \min_t \mathrm{PSNR}_t}{\max_t \mathrm{PSNR}_t - \min_t \mathrm{PSNR}_t}$,
#    a regularity score in $[0,1]$ for each clip.
# 3. **Micro AUC** (the headline): one ROC over all test frames concatenated.
#    **Macro AUC**: the mean of per-clip AUCs (a clip whose frames are all anomalous or all normal
#    has no AUC and is skipped). **Global AUC**: one min–max over all clips instead of per clip.
#    **EER**: the error rate where false positives and misses are equally frequent.
#    **Score gap** $\Delta S$ = mean $S$ of normal frames − mean $S$ of anomalous frames.
# 4. **Pixel level** (UCSD rule): an anomalous frame counts as detected when at least 40 % of its
#    true anomalous pixels are above the threshold; a normal frame is a false alarm when any pixel is.
#
# Per-video normalisation is not a detail: it lets each clip's score range stretch to [0, 1], which
# hides differences in crowd size *between* clips. The figure below shows it on real scores —
# the mean absolute difference between consecutive frames.

# %%
labels = metrics.drop_first([v.labels for v in data.test], baselines.FIRST_SCORED)
motion = baselines.frame_difference_scores(data.test)
names = [v.name for v in data.test]
fig = figures.score_distributions(motion, metrics.normalize_per_video(motion), names, labels,
                                  raw_label="mean |I(t) − I(t−1)|")
lab.figure(fig, "fig3_normalisation")

# %%
shown = list(range(min(4, len(data.test))))
fig = figures.score_curves({"frame difference": [metrics.regularity(motion)[i] for i in shown]},
                           [labels[i] for i in shown], [f"test clip {names[i]}" for i in shown],
                           offset=baselines.FIRST_SCORED)
lab.figure(fig, "fig4_regularity_frame_difference")

# %% [markdown]
# **Why do the curves on Ped2 dip every 12 frames?** Not because of the people: the *static
# background* itself changes more at every 12th frame. Below, the mean |I(t) − I(t−1)| over each
# clip's most static half of the pixels, and how much larger it is at every 12th frame than at the
# others (control: every 11th). A jump every 12 frames is the signature of a video compressed with
# 12-frame groups of pictures before its frames were extracted: at each group's first frame the
# compression noise pattern changes everywhere at once. Every frame-difference score — and every
# predictor, which cannot foresee the new noise — sees a small burst of "motion" there.

# %%
flicker = {f"{n}: {v.name}" if len(previews) > 1 else v.name: background_change(v)
           for n, videos in previews.items() for v in videos.test[:1]}
excess = {n: (np.median([periodic_excess(background_change(v), 12)[0] for v in videos.videos]),
              np.median([periodic_excess(background_change(v), 11)[0] for v in videos.videos]))
          for n, videos in previews.items()}
lab.figure(figures.periodic_signal(flicker, 12, "mean |ΔI| on static pixels"), "fig5_background_flicker")
lab.show("\n".join(f"- {n}: static-background change at every 12th frame is **{a:.2f}×** the other frames' "
                   f"(median over clips; every 11th: {b:.2f}×)" for n, (a, b) in excess.items()))

# %% [markdown]
# ## 3. Scores that learn nothing
#
# *Random* draws a uniform score per frame (mean ± std over the seeds). *Frame difference* is raw
# motion energy; its per-pixel version (smoothed $|I_t - I_{t-1}|$) gives a pixel-level AUC.
# *Copy the last frame* and *linear extrapolation* $2 I_t - I_{t-1}$ are predictors with no
# parameters, scored through the prediction notebooks' own PSNR path (first four frames of each
# clip dropped, as for a predictor from four frames) at the size those notebooks train at. On Ped2
# they reach about 90 %: a learned predictor has learned something only where it beats them.
#
# The pixel-level rule is strict: an anomalous frame needs 40 % of its object's pixels above the
# threshold, while a normal frame is a false alarm as soon as its single highest pixel is. Frame
# differences light up only the moving *edges* of objects (and every walking pedestrian), so this
# trivial map localises almost nothing — expect a pixel AUC far below its frame AUC.

# %%
trivial = baselines.evaluate_trivial(data.test, seeds)
predictor = prediction.profile_config(profile, lab.dataset)
predictor_data = lab.data(size=predictor.size)
for name, outcome in baselines.trivial_predictions(predictor, predictor_data).items():
    trivial[f"{name} ({'×'.join(map(str, predictor.size))})"] = [metrics.FrameMetrics(**outcome["metrics"])]
lab.show(report.metrics_table(
    lab.out, "table2_trivial_baselines", trivial, f"Table 2. Scores that learn nothing, on {lab.dataset}",
    footnote=f"Random and frame difference at the native frame size, first frame of every test clip dropped; "
             f"random over {len(seeds)} seeds. The two predictors at the working size of the prediction "
             f"notebooks' `{profile}` profile, first {predictor.frames} frames dropped, PSNR on [0, 1]. No paper "
             f"reports these numbers; they are the floor every later table must clear."))

# %%
rocs = {
    "frame difference, per-video min–max": metrics.frame_roc(motion, labels, normalization="video"),
    "frame difference, global min–max": metrics.frame_roc(motion, labels, normalization="global"),
    "random": metrics.frame_roc(baselines.random_scores(data.test, seeds[0]), labels),
}
lab.figure(figures.roc_curves(rocs, f"Frame-level ROC on {lab.dataset}"), "fig6_roc")

# %%
fd = trivial["frame difference"][0]
strongest = max(trivial, key=lambda n: np.mean([m.micro_auc for m in trivial[n]]))
skipped = ", ".join(names[i] for i in fd.macro_skipped) or "none"
lab.show(
    f"On **{lab.dataset}**, raw motion energy reaches **{100 * fd.micro_auc:.1f} %** micro AUC "
    f"({100 * fd.macro_auc:.1f} % macro, {100 * fd.global_auc:.1f} % with one global "
    f"normalisation); random scores sit at {100 * np.mean([m.micro_auc for m in trivial['random']]):.1f} %. "
    f"The strongest score that learns nothing is **{strongest}** at "
    f"**{100 * np.mean([m.micro_auc for m in trivial[strongest]]):.1f} %**. "
    f"Clips skipped by the macro AUC (a single class): {skipped}.")

# %% [markdown]
# ## Deviations
#
# None: this notebook reproduces no paper. Random and frame difference drop the first frame of
# each test clip and read frames at their native size; the trivial predictors drop the first four
# and work at the prediction notebooks' size.

# %%
finish(lab)
