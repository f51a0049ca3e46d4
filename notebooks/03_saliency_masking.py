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
# # 03 — Saliency masking: SEUNet
#
# *Video anomaly detection based on the SEUNet prediction network* (a Chinese-language journal
# article; "SE" = saliency extraction) starts where the attention-driven loss of notebook 02 does:
# the static background dominates a frame predictor's loss. Its answer is harder: compute the
# salient region of the scene with SGSP (Liu et al., "Saliency detection for unconstrained videos
# using superpixel-level graph and spatiotemporal propagation", IEEE TCSVT 2017), turn it into one
# binary mask for the whole training set, and (1) train AnoPred on masked frames, (2) weight its
# losses by the mask, (3) score only the masked region. We regenerate Tables 1–3 and Figures 3, 4,
# 6–8, each followed by a verdict computed from the numbers, and measure what the paper cannot:
# how well the mask matches the moving objects, and how much of each anomaly it hides.
#
# **In this lab you will**
# 1. build a spatio-temporal saliency map from superpixels, a graph and propagation, and turn maps
#    into one mask (Otsu, union, small-region removal);
# 2. train a predictor on masked frames and score it with a masked PSNR, sharing AnoPred's and ADL's
#    runs with notebook 02;
# 3. measure what a mask hides: anomalies outside it are invisible to the masked score;
# 4. tell a threshold read off the test ROC from one chosen without test labels.
#
# **Before:** notebooks 00 (protocol) and 02 (AnoPred, ADL, the validation search). The measured
# time of this notebook per profile (from its last recorded run):

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | gpu | full
device = "auto"  # auto (the GPU if there is one) | cpu | cuda | cuda:N
dataset = None  # None: synthped for smoke, ucsd_ped2 for cpu, gpu and full
data_root = None  # folder of a real dataset; None: data/<name>
results_dir = None  # None: results/<profile>/03_saliency_masking
seeds = None  # None: the profile's seeds (smoke: [0]; cpu, gpu, full: [0, 1, 2])
tables = ["1", "2", "3"]  # which tables to run (Table 1's runs also feed Tables 2 and the figures)
iterations = None  # headline runs' schedule; None: the profile's
ablation_iterations = None  # Table 3's rows; None: the profile's ablation schedule
flow = None  # λ_of; None: chosen on validation clips in notebook 02 (full: the paper's 2)
lr = None  # G's learning rate (D's is a tenth); None: chosen on validation clips (full: 1e-4)

# %%
import numpy as np
from skimage.filters import threshold_otsu

from vadcore import baselines, figures, metrics, report
from vadcore.data.showcase import showcase_clips
from vadcore.data.splits import validation_split
from vadcore.maps import saliency
from vadcore.methods import evaluate, load_model, prediction
from vadcore.notebook import finish, start
from vadcore.papers import seunet
from vadcore.quality import psnr
from vadcore.teaching import runtime_table

lab = start(profile, dataset, data_root, seeds, results_dir, device=device)
lab.show(runtime_table(lab.name))
study = lab.study(seunet.study(profile, lab.dataset, lab.seeds, flow=flow, lr=lr, iterations=iterations, tables=tables,
                               ablation_iterations=ablation_iterations))  # every run, trained or read from the cache
plan, runs = study.last()  # by (row, seed)
settings, choice, short, base = (study.value[k] for k in ("settings", "choice", "short", "base"))
data = lab.data_for(base)
training_clips, held_out = validation_split(data.train, base.validation_clips)
print(data, "working size", base.size, "seeds", lab.seeds)

# %% [markdown]
# ## 1. Saliency and the mask (Section 2.1, Eqs. 1–3)
#
# **SGSP** (`vadcore.maps.saliency.sgsp`): SLIC superpixels; per superpixel a motion histogram
# (flow orientation weighted by magnitude, plus a "still" bin) and an intensity histogram; a graph
# of adjacent superpixels weighted by the χ² distance of their motion, with a background node
# joined to the border — a superpixel's **motion saliency is its shortest path to the
# background**; then forward/backward **temporal propagation** between similar superpixels of
# neighbouring frames, and local and global **spatial propagation** within a frame.
#
# **The mask.** Each map is binarised at its Otsu threshold $g$ (Eq. 1), the binary maps of *all*
# training frames are united (Eq. 2), and connected regions under 0.5 % of the frame are removed
# (`bwareaopen`, Eq. 3). Training frames become $O_t \cdot M$. The named baseline `motion` builds
# the same mask from background subtraction instead of SGSP.

# %%
masks = {kind: saliency.training_mask(kind, training_clips) for kind in saliency.KINDS}
video = training_clips[0]
segment = video.frames[: min(24, video.n_frames)]
sgsp_maps = saliency.saliency_maps("sgsp", segment)
rows = [[segment[t], 255 * sgsp_maps[t], 255 * saliency.binarise(sgsp_maps[t]), 255 * masks["sgsp"], 255 * masks["motion"]]
        for t in (len(segment) // 3, 2 * len(segment) // 3)]
fig = figures.image_table(rows, [f"{video.name}, frame {t + 1}" for t in (len(segment) // 3, 2 * len(segment) // 3)],
                          ["frame", "SGSP saliency", "binarised (Eq. 1)", "mask M (Eqs. 2–3)", "motion-baseline mask"])
fig.suptitle("Fig. 3 — frame, saliency and mask", y=1.02)
lab.figure(fig, "fig3_saliency_and_mask")
print({kind: f"{100 * m.mean():.1f} % of the frame" for kind, m in masks.items()})

# %% [markdown]
# ### Your turn 1 — Otsu's threshold (Eq. 1)
#
# Write `otsu(values, bins=256)`: over a `bins`-bin histogram of the values, the bin centre that
# maximises the between-class variance $w_0 w_1 (\mu_0 - \mu_1)^2$ of the values below and above
# it. The check compares it with scikit-image's `threshold_otsu` on a saliency map.

# %% tags=["solution"]
def otsu(values, bins=256):
    """Otsu's threshold of an array: the histogram bin centre with the largest between-class variance.

    Hint: np.histogram; cumulative sums of counts and of counts × centres give w0, w1, μ0, μ1 for
    every split at once.
    """
    counts, edges = np.histogram(np.ravel(values), bins=bins)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(counts)[:-1]
    w1 = np.cumsum(counts[::-1])[::-1][1:]
    m0 = np.cumsum(counts * centres)[:-1] / np.maximum(w0, 1)
    m1 = (np.cumsum((counts * centres)[::-1])[::-1][1:]) / np.maximum(w1, 1)
    return float(centres[:-1][np.argmax(w0 * w1 * (m0 - m1) ** 2)])


# %% tags=["self-check"]
assert abs(otsu(sgsp_maps[0]) - threshold_otsu(sgsp_maps[0])) < 1e-9
two_levels = np.where(np.arange(100) < 70, 0.2, 0.9)
assert 0.2 <= otsu(two_levels) < 0.9 and ((two_levels > otsu(two_levels)) == (two_levels > 0.5)).all()
print("otsu: correct")

# %% [markdown]
# ## 2. What no paper can show: the mask against the truth
#
# synthped knows every moving object's silhouette. How well do the binarised saliency maps match
# the moving objects of the same frames, and the mask the union of everything that moved? And on
# the notebook's dataset, which has pixel masks of its anomalies: **how much of each anomaly lies
# inside the mask?** An anomaly outside $M$ is invisible to the masked score — SEUNet cannot see it.

# %%
synth = lab.data(size=base.size, gray=True, dataset="synthped")
synth_train = validation_split(synth.train, base.validation_clips)[0]
rows = []
for kind in saliency.KINDS:
    clip = synth_train[0].frames[:24]
    binary = np.stack([saliency.binarise(m) for m in saliency.saliency_maps(kind, clip)])
    moving = np.asarray(synth_train[0].foreground[:24])
    union = np.any(np.concatenate([np.asarray(v.foreground) for v in synth_train]), axis=0)
    rows.append([kind, f"{metrics.iou(binary, moving):.2f}",
                 f"{metrics.iou(saliency.training_mask(kind, synth_train), union):.2f}",
                 f"{100 * saliency.training_mask(kind, synth_train).mean():.1f}", f"{100 * union.mean():.1f}"])
lab.show(report.write_table(lab.out, "table4_mask_iou", ["saliency", "IoU per frame (binarised map vs moving objects)",
                                                          "IoU of the mask vs everything that moved",
                                                          "mask area %", "area that moved %"], rows,
                            "What the paper cannot show: saliency and mask against synthped's true silhouettes"))

kept = {kind: np.concatenate([metrics.mask_coverage(m, v.masks) for v in data.test if v.masks is not None])
        for kind, m in masks.items()}
rows = [[kind, f"{100 * c.mean():.1f}", f"{100 * np.mean(c < 0.5):.1f}", f"{100 * np.mean(c == 0):.1f}", len(c)]
        for kind, c in kept.items()]
lab.show(report.write_table(lab.out, "table5_anomaly_coverage",
                            ["mask", "anomaly pixels inside M, mean %", "frames with < 50 % inside, %",
                             "frames with nothing inside, %", "anomalous frames with a pixel mask"], rows,
                            f"How much of each anomaly the mask keeps, on {lab.dataset}'s pixel masks"))

# %% [markdown]
# ### Your turn 2 — what a mask hides
#
# Write `coverage(mask, anomaly)`: the fraction of an anomaly's pixels (a boolean `(H, W)` array)
# that lie inside the mask `M`. The check uses a drawn case and the table above.

# %% tags=["solution"]
def coverage(mask, anomaly):
    """Fraction of the anomaly's pixels inside the mask (both boolean (H, W)).

    Hint: count the pixels where both are True, divide by the anomaly's pixel count.
    """
    anomaly = np.asarray(anomaly, bool)
    return float((anomaly & np.asarray(mask, bool)).sum() / anomaly.sum())


# %% tags=["self-check"]
drawn, blob = np.zeros((4, 4), bool), np.zeros((4, 4), bool)
drawn[:, :2], blob[1:3, 1:3] = True, True
assert coverage(drawn, blob) == 0.5
first = next(v for v in data.test if v.masks is not None and v.masks.any())
t = int(np.flatnonzero(first.masks.any(axis=(1, 2)))[0])
assert abs(coverage(masks["sgsp"], first.masks[t]) - metrics.mask_coverage(masks["sgsp"], first.masks[t : t + 1])[0]) < 1e-12
print("coverage: correct")

# %% [markdown]
# ## 3. Training and scoring (Sections 2.2–2.5)
#
# SEUNet is a variant of the prediction family (`mask="sgsp"`): frames masked (Eq. 3), intensity
# and gradient losses weighted by $M$ (Eqs. 4–5), flow and adversarial terms as AnoPred (Eq. 7),
# and the score RS = the per-clip normalised PSNR of the masked prediction against the masked frame
# (Eqs. 9–10). The learning rates and λ_of are the ones notebook 02 chose on held-out training clips
# (the same validation runs, from the run cache). AnoPred and ADL are notebook 02's runs.

# %%
auc = {}
for (row, seed), result in runs.items():
    auc.setdefault(row, []).append(100 * result.metrics["micro_auc"])
print("settings:", report.settings_text(settings), {row: f"{np.mean(v):.1f}" for row, v in auc.items()})

# %% [markdown]
# ### Your turn 3 — the masked PSNR (Eq. 10)
#
# Write `masked_psnr(prediction, frame, mask)` for images in [0, 1]: the PSNR (peak 1) of
# `mask · prediction` against `mask · frame`, the MSE averaged over **all** pixels of the frame.

# %% tags=["solution"]
def masked_psnr(prediction, frame, mask):
    """SEUNet Eq. 10 with peak 1: 10 log10(1 / mean((M·Î − M·I)²)) over every pixel.

    Hint: multiply both images by the mask first; the mean runs over the whole frame.
    """
    error = (np.asarray(mask) * (np.asarray(prediction) - np.asarray(frame))) ** 2
    return float(10 * np.log10(1 / max(error.mean(), 1e-10)))


# %% tags=["self-check"]
frame_, guess = np.full((2, 2), 0.5), np.full((2, 2), 0.6)
corner = np.array([[1.0, 0.0], [0.0, 0.0]])
assert abs(masked_psnr(guess, frame_, corner) - 10 * np.log10(1 / (0.01 / 4))) < 1e-9
assert abs(masked_psnr(guess, frame_, corner) - psnr(guess[None], frame_[None], mask=corner)[0]) < 1e-6
print("masked_psnr: correct")

# %% [markdown]
# ## 4. Table 1 — comparison
#
# The paper's rows we do not run are quoted. The reference rows score the trivial predictors the
# same way as the learned ones — once with the plain PSNR (AnoPred's and ADL's score) and once with
# SEUNet's mask (its score).

# %%
headline = plan["SEUNet (ours)", lab.seeds[0]]
reference = {name: [100 * t["metrics"]["micro_auc"]]
             for name, t in baselines.trivial_predictions(plan["Pred_Unet (AnoPred)", lab.seeds[0]], data).items()}
reference.update({f"{name}, masked PSNR": [100 * t["metrics"]["micro_auc"]]
                  for name, t in baselines.trivial_predictions(headline, data).items()})
ours = {row: auc[row] for row in (*seunet.HEADLINE, "SEUNet, motion mask")}
noise = report.seed_noise({row: auc[row] for row in seunet.HEADLINE})
lab.show(report.paper_table(
    lab.out, "table1_comparison", seunet.TABLE_1, lab.dataset, ours, reference,
    footnote=f"Frame-level micro AUC %, mean ± std over seeds {lab.seeds} (the motion-mask row: seed {lab.seeds[0]}); "
             f"{base.size[0]}×{base.size[1]}, {headline.iterations} iterations, {report.settings_text(settings)}; "
             f"SEUNet's score is the masked PSNR (see Deviations)."))
for claim in ("1", "1-adl", "1-sgsp"):
    lab.show(report.table_verdict(seunet.CLAIMS[claim], seunet.TABLE_1, lab.dataset, ours, reference, noise))

# %% [markdown]
# ## 5. Table 2 — the mask in the score
#
# The same SEUNet runs, scored with and without the mask.

# %%
if "2" in tables:
    ours = {"With mask PSNR": auc["SEUNet (ours)"],
            "Without mask PSNR": [100 * evaluate(plan["SEUNet (ours)", s], runs["SEUNet (ours)", s], data, "psnr")["micro_auc"]
                                  for s in lab.seeds]}
    lab.show(report.paper_table(lab.out, "table2_mask_in_score", seunet.TABLE_2, lab.dataset, ours, reference,
                                footnote=f"Micro AUC %, mean ± std over seeds {lab.seeds}; one model per seed, two scores."))
    lab.show(report.table_verdict(seunet.CLAIMS["2"], seunet.TABLE_2, lab.dataset, ours, reference, noise))

# %% [markdown]
# ## 6. Table 3 — the masked losses, at a shortened schedule
#
# As the paper does for this table, a shorter schedule (ours: notebook 02's ablation schedule), with
# and without weighting the intensity and gradient losses by the mask; both train on masked frames
# and score with the masked PSNR.

# %%
if "3" in tables:
    ours = {row: auc[row] for row in ("With attention loss", "Without attention loss")}
    lab.show(report.paper_table(lab.out, "table3_attention_loss", seunet.TABLE_3, lab.dataset, ours, reference,
                                footnote=f"Micro AUC %, seed {lab.seeds[0]}, {short} iterations (the paper: 10,000)."))
    lab.show(report.table_verdict(seunet.CLAIMS["3"], seunet.TABLE_3, lab.dataset, ours, reference, noise))

# %% [markdown]
# ## 7. Fig. 4 and thresholds
#
# The paper calls a frame abnormal when its RS is below a threshold "obtained from the ROC curve"
# (0.6519 on Ped2) — that is, read off the **test** labels. A deployed system cannot do that. The
# alternative that needs no test label: on the held-out *training* clips (normal video), take the
# threshold that flags 5 % of their frames. Below, one test clip's RS with both, and the frame
# accuracy each threshold gives on the whole test set.

# %%
offset = prediction.first_scored(headline)
labels = metrics.drop_first([v.labels for v in data.test], offset)
regularity = metrics.regularity(runs["SEUNet (ours)", lab.seeds[0]].scores["psnr_masked"], higher_is_normal=True)
model = load_model(headline, data, lab.cache)
held_scores = metrics.regularity(prediction.score(headline, model, held_out)["psnr_masked"], higher_is_normal=True)
thresholds = {"the paper's value (chosen on its test set)": seunet.THRESHOLDS.get(lab.dataset, float("nan")),
              "best on our test ROC (the paper's rule)": metrics.best_test_threshold(regularity, labels),
              "5 % false alarms on held-out training clips": metrics.false_alarm_threshold(held_scores, 0.05)}
index, description = showcase_clips(data)[0]
lab.figure(figures.thresholded_score(regularity[index], labels[index], offset, thresholds, "RS (normalised masked PSNR)",
                                     f"Fig. 4 — SEUNet on {description}, seed {lab.seeds[0]}"), "fig4_regularity_score")
accuracy = {name: float("nan") if np.isnan(value) else 100 * metrics.threshold_accuracy(regularity, labels, value)
            for name, value in thresholds.items()}
rows = [[name, report.fmt(value, 4), report.fmt(accuracy[name])] for name, value in thresholds.items()]
lab.show(report.write_table(lab.out, "table6_thresholds", ["threshold", "value", "test frame accuracy %"], rows,
                            f"Thresholds on SEUNet's RS, {lab.dataset}, seed {lab.seeds[0]}",
                            f"Frames with RS ≤ threshold are called anomalous; {100 * np.mean(np.concatenate(labels)):.1f} % "
                            f"of the scored test frames are anomalous."))

# %% [markdown]
# ## 8. Figs. 6–7 — ROC curves
#
# SEUNet, AnoPred and ADL from the same runs (seed 0), each with its own score.

# %%
rocs = {row: metrics.frame_roc(runs[row, lab.seeds[0]].scores["psnr_masked" if "SEUNet" in row else "psnr"], labels,
                               higher_is_normal=True) for row in seunet.HEADLINE}
lab.figure(figures.roc_curves(rocs, f"Figs. 6–7 — frame-level ROC on {lab.dataset}, seed {lab.seeds[0]}"), "fig6_roc")

# %% [markdown]
# ## 9. Fig. 8 — score gap ΔS
#
# ΔS = mean RS of normal frames − mean RS of abnormal frames; larger separates better.

# %%
gaps = {row: [runs[row, s].metrics["score_gap"] for s in lab.seeds] for row in seunet.HEADLINE}
lab.figure(figures.bars(gaps, "ΔS (normal − abnormal)", f"Fig. 8 — score gap on {lab.dataset}"), "fig8_score_gap")
lab.show(report.verdict(seunet.CLAIMS["8"], gaps, digits=3, where=lab.dataset))

# %% [markdown]
# ## Questions for discussion

# %%
inside = 100 * np.mean(kept["sgsp"]) if len(kept["sgsp"]) else float("nan")
lab.show("\n".join([
    f"1. On {lab.dataset}, {100 - inside:.1f} % of the anomalous pixels lie outside SGSP's mask on average. What kind "
    f"of anomaly does a masked score miss by construction, and would you deploy it where people may walk on the grass?",
    f"2. The mask covers {100 * masks['sgsp'].mean():.1f} % of the frame (background subtraction's: "
    f"{100 * masks['motion'].mean():.1f} %). After uniting every training frame, is the mask still *saliency*, or a "
    f"map of where people walk — and how does it differ from ADL's human ROI of notebook 02?",
    f"3. The threshold read off the test ROC gives {list(accuracy.values())[1]:.1f} % accuracy, the one chosen on "
    f"held-out normal clips {list(accuracy.values())[2]:.1f} %. Which would you report to a customer, and why?",
    "4. SEUNet's score ignores everything outside the mask. Which of its gains over AnoPred (if any) could come from "
    "that alone, without any change to training? (Table 2 separates the two.)",
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in seunet.DEVIATIONS))
finish(lab, settings=settings, timings={f"{row} seed {seed}": r.timings for (row, seed), r in runs.items()})
