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
# # 04 — Spatio-temporal dissociation (Chang et al.)
#
# Y. Chang, Z. Tu, W. Xie, B. Luo, S. Zhang, H. Sui, J. Yuan, "Video anomaly detection with
# spatio-temporal dissociation", Pattern Recognition 122, 2022, splits a clip into *what is
# there* and *how it moves*: a **spatial autoencoder** reconstructs the clip's first frame (FIF),
# a **motion autoencoder** reads the first four frames and outputs the difference between the
# last frame (LIF) and the FIF — an optical flow learnt in RGB — and their sum predicts the LIF.
# **Variance attention** amplifies the positions where the motion features disagree (large
# motion), and **deep k-means** pulls the codes of both encoders towards cluster centres of
# normal video; the anomaly score fuses the prediction error with the distance to the nearest
# centre.
#
# Our source is a set of reading notes on the paper (the architecture and losses, no table), and
# the authors' released code is known to be broken and to shift its labels by one frame: we build
# from the paper's description and make the alignment explicit. We regenerate the AUC table
# (the paper's cells: *not in the source*), an ablation, both branches' outputs, the attention
# maps, the codes and their centres, and the speed, with verdicts.
#
# **In this lab you will**
# 1. build two autoencoders that split appearance from motion, with pixel-shuffle decoders;
# 2. implement variance attention and a deep k-means compactness loss, and check them by hand;
# 3. align every score with the frame it describes;
# 4. judge the model against predictors that learn nothing and against AnoPred at the same size.
#
# **Before:** notebooks 00 (protocol), 01 (autoencoders) and 02 (AnoPred). The measured time of
# this notebook per profile (from its last recorded run):

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | gpu | full
device = "auto"  # auto (the GPU if there is one) | cpu | cuda | cuda:N
dataset = None  # None: synthped for smoke, ucsd_ped2 for cpu, gpu and full
data_root = None  # folder of a real dataset; None: data/<name>
results_dir = None  # None: results/<profile>/04_spatiotemporal_dissociation
seeds = None  # None: the profile's seeds (smoke: [0]; cpu, gpu, full: [0, 1, 2])
iterations = None  # the full model's schedule (pretraining + joint); None: the profile's
ablations = True  # train the ablation rows (one seed each)

# %%
import numpy as np
import torch
from sklearn.decomposition import PCA

from vadcore import baselines, bench, figures, report
from vadcore.data.showcase import middle_anomalous_frame, showcase_clips
from vadcore.methods import dissociation, evaluate, load_model, prediction
from vadcore.methods.dissociation.diagnostics import attention_maps, most_distant_codes
from vadcore.models.dissociation import KMeansLayer, VarianceAttention
from vadcore.notebook import finish, start
from vadcore.papers import dissociation as paper
from vadcore.teaching import runtime_table

lab = start(profile, dataset, data_root, seeds, results_dir, device=device)
lab.show(runtime_table(lab.name))
study = lab.study(paper.study(profile, lab.dataset, lab.seeds, iterations=iterations, ablations=ablations))
plan, results = study.last()  # every run, trained or read from the cache, by (row, seed)
configs = {s: plan["Dissociation AE", s] for s in lab.seeds}
headline = configs[lab.seeds[0]]
data = lab.data_for(headline)  # three channels; grey datasets repeat their one channel
print(data, "working size", headline.size, "seeds", lab.seeds)

# %% [markdown]
# ## 1. Two autoencoders (Sections 3.2–3.3)
#
# Both encoders are three residual stages with LeakyReLU, each halving the resolution; both
# decoders double it three times with a 3×3 convolution to four times the channels followed by
# **pixel shuffle** (no transposed convolution). The spatial decoder ends in tanh (a frame), the
# motion decoder is linear (a difference of frames).

# %%
model = dissociation.build(headline, 3)
print(f"{sum(p.numel() for p in model.parameters()):,} parameters; code maps of "
      f"{model.kmeans.centres.shape[1]} channels at 1/{model.factor} of the frame size")
print(model.motion_decoder)

# %% [markdown]
# ### Your turn 1 — pixel shuffle
#
# Write `pixel_shuffle(x, r)` for a tensor `(B, C·r², H, W)`: output channel `c`, pixel
# `(h·r + i, w·r + j)` comes from input channel `c·r² + i·r + j`, pixel `(h, w)`. The check compares
# it with `torch.nn.PixelShuffle`.

# %% tags=["solution"]
def pixel_shuffle(x, r):
    """Rearrange (B, C·r², H, W) → (B, C, H·r, W·r): each group of r² channels fills an r×r block.

    Hint: reshape to (B, C, r, r, H, W), permute to (B, C, H, r, W, r), reshape.
    """
    b, c, h, w = x.shape
    return x.reshape(b, c // r**2, r, r, h, w).permute(0, 1, 4, 2, 5, 3).reshape(b, c // r**2, h * r, w * r)


# %% tags=["self-check"]
x = torch.arange(2 * 8 * 3 * 5, dtype=torch.float32).reshape(2, 8, 3, 5)
assert torch.equal(pixel_shuffle(x, 2), torch.nn.PixelShuffle(2)(x))
print("pixel_shuffle: correct")

# %% [markdown]
# ## 2. Variance attention and deep k-means (Sections 3.4–3.5)
#
# After each motion-encoder stage, a 1×1 convolution $W_g$ projects the features; the **variance
# across its channels** at each position becomes a spatial weight (a softmax over the positions),
# and the features are multiplied by $\exp$(weight) — the authors' code. Deep k-means keeps
# $K$ centres in the space of concatenated spatial and motion codes (one code per position of the
# code map), initialised with scikit-learn's KMeans on the pretrained encoders' codes, then
# trained with the **compactness loss**: each code's squared distance to its nearest centre.

# %% [markdown]
# ### Your turn 2 — the variance weight
#
# Write `variance_weight(projected)` for projected features `(B, C, H, W)`: the variance across
# channels at each position (the sum of squared deviations from the channel mean, as the
# authors' code computes it), softmax-normalised over the positions of each sample, `(B, 1, H, W)`.

# %% tags=["solution"]
def variance_weight(projected):
    """Σ_c (z_c − mean_c z)² at each position, then a softmax over the positions of each sample.

    Hint: mean over dim 1 with keepdim, a flatten(1) before the softmax, view_as to restore the shape.
    """
    variance = (projected - projected.mean(1, keepdim=True)).pow(2).sum(1, keepdim=True)
    return torch.softmax(variance.flatten(1), dim=1).view_as(variance)


# %% tags=["self-check"]
torch.manual_seed(0)
features = torch.randn(2, 6, 4, 5)
attention = VarianceAttention(6)
assert torch.allclose(variance_weight(attention.project(features)), attention.weights(features), atol=1e-6)
flat = torch.zeros(1, 3, 2, 2)  # no disagreement anywhere: every position weighs the same
assert torch.allclose(variance_weight(flat), torch.full((1, 1, 2, 2), 0.25))
print("variance_weight: correct")

# %% [markdown]
# ### Your turn 3 — compactness
#
# Write `compactness(codes, centres)`: for code maps `(B, D, h, w)` and centres `(K, D)`, the mean
# over positions of each code's squared Euclidean distance to its nearest centre.

# %% tags=["solution"]
def compactness(codes, centres):
    """Mean over positions of min_k ‖code − centre_k‖².

    Hint: move D last, subtract centres with broadcasting, square, sum over D, min over k.
    """
    flat = codes.permute(0, 2, 3, 1).unsqueeze(-2)  # (B, h, w, 1, D)
    return (flat - centres).pow(2).sum(-1).min(-1).values.mean()


# %% tags=["self-check"]
layer = KMeansLayer(clusters=2, dim=2)
with torch.no_grad():
    layer.centres.copy_(torch.tensor([[0.0, 0.0], [3.0, 4.0]]))
two_positions = torch.tensor([[1.0, 3.0], [2.0, 0.0]]).reshape(1, 2, 1, 2)  # codes (1, 2) and (3, 0)
assert abs(compactness(two_positions, layer.centres).item() - (5 + 9) / 2) < 1e-6
assert torch.allclose(compactness(two_positions, layer.centres), layer.nearest(two_positions).mean())
print("compactness: correct")

# %% [markdown]
# ## 3. Training and the frame each score belongs to
#
# Pretraining: L2 on the FIF reconstruction, L2 and gradient loss on FIF + predicted difference
# against the LIF. Then KMeans initialises the centres, and everything trains jointly with the
# compactness loss. Two training clips are held out; the validation PSNR of their predicted LIFs
# is measured during training. A window of five frames predicts its **last** frame, so its score
# belongs to that frame and the first four frames of every clip have none — dropped with their
# labels, as for AnoPred.

# %%
runs = {s: results["Dissociation AE", s] for s in lab.seeds}
print("scored frames of a 10-frame clip:", dissociation.scored_frames(headline, 10))
curves = {f"seed {s}": (r.curves["val_step"], r.curves["val_psnr"]) for s, r in runs.items() if "val_psnr" in r.curves}
trivial = baselines.trivial_predictions(study.value["predictor"], lab.data_for(study.value["predictor"]))
if curves:
    lab.figure(figures.validation_curves(curves, {f"{n} ({t['val_psnr']:.2f} dB)": t["val_psnr"] for n, t in trivial.items()},
                                         title="Predicted LIFs of the held-out training clips"), "fig1_validation")

# %% [markdown]
# ### The number of clusters, chosen on the held-out clips
#
# The paper fixes 128 clusters for 256×256 frames; at our size and widths that number has no
# reason to be right. Runs on the profile's own schedule (the chosen one is the first seed's run)
# try a few, judged as notebook 02's search is: by the detection AUC of the fused score on
# pseudo-anomalies made from the held-out clips (a stretch sped up, a stretch reversed, a patch
# of another clip moving across), with their prediction PSNR beside it. No test label is read.

# %%
choice = study.value["choice"]
if choice is not None:
    lab.show(report.search_table(lab.out, "table0_validation", choice,
                                 f"Clusters chosen on {lab.dataset} ({headline.iterations} iterations, seed "
                                 f"{lab.seeds[0]}, {headline.validation_clips} held-out training clips)"))
    lab.show(report.criteria_table(lab.out, "table0_criteria", choice))
print("clusters:", headline.clusters)

# %% [markdown]
# ## 4. The AUC table
#
# The paper's cells are *not in the source*. Reference rows at the same size and on the same
# frames: the trivial predictors, frame difference, and notebook 02's AnoPred (its runs, from the
# run cache, with the settings notebook 02 chose on validation clips).

# %%
ours = {"Dissociation AE": [100 * r.metrics["micro_auc"] for r in runs.values()]}
reference = {name: [100 * t["metrics"]["micro_auc"]] for name, t in trivial.items()}
reference["frame difference"] = [100 * baselines.frame_difference_metrics(data.test, dissociation.first_scored(headline)).micro_auc]
anopred = [100 * results["AnoPred", s].metrics["micro_auc"] for s in lab.seeds]
reference["AnoPred (notebook 02's runs)"] = anopred
noise = report.seed_noise([ours["Dissociation AE"]])
lab.show(report.paper_table(
    lab.out, "table1_auc", paper.TABLE, lab.dataset, ours, reference,
    footnote=f"Micro AUC %, mean ± std over seeds {lab.seeds}, fused score, last iteration; {headline.size[0]}×"
             f"{headline.size[1]}, width {headline.width}, {headline.clusters} clusters, {headline.pretrain} + "
             f"{headline.iterations - headline.pretrain} iterations. Paper values: {paper.NOT_IN_SOURCE}. Every row "
             f"scores frames 5… of each clip (AnoPred and the predictors from four frames, the dissociation AE from "
             f"windows of five)."))
lab.show(report.verdict(paper.CLAIMS["anopred"], {"Dissociation AE": ours["Dissociation AE"], "AnoPred": anopred},
                        reference=reference, where=lab.dataset))

# %% [markdown]
# ## 5. Ablation
#
# One seed each: either autoencoder alone, without variance attention, without deep k-means; and,
# from the full model's own runs, the prediction error alone and the cluster distance alone against
# the fused score (what each factor of the fusion brings). Like is
# compared with like: the motion autoencoder alone (no k-means, error score) against both
# autoencoders without k-means; the spatial autoencoder alone is scored on the first frame of each
# window, the one it reconstructs.

# %%
rows = {"full model": ours["Dissociation AE"][:1]}
if ablations:
    for row in paper.ABLATIONS:
        rows[row] = [100 * results[row, lab.seeds[0]].metrics["micro_auc"]]
scores = {"fused score": ours["Dissociation AE"],
          "prediction error only": [100 * evaluate(configs[s], runs[s], data, "error")["micro_auc"] for s in lab.seeds]}
cluster_only = [100 * evaluate(configs[s], runs[s], data, "cluster")["micro_auc"] for s in lab.seeds]
table = {**rows, **scores, "cluster distance only": cluster_only}
lab.show(report.write_table(lab.out, "table2_ablation", ["variant", "micro AUC %", "seeds"],
                            [[row, report.fmt(np.mean(v)), len(v)] for row, v in table.items()],
                            f"Ablation on {lab.dataset}", "The paper's ablation values: not in the source."))
for claim in ("branches", "attention", "kmeans"):
    if all(row in rows for row in (paper.CLAIMS[claim].better, paper.CLAIMS[claim].worse)):
        lab.show(report.verdict(paper.CLAIMS[claim], rows, noise=noise, where=lab.dataset))
lab.show(report.verdict(paper.CLAIMS["fused"], scores, where=lab.dataset))
margin = np.mean(cluster_only) - 50
tolerance = 2 * max(1.0, np.std(cluster_only))
lab.show(f"The fused score multiplies each pixel's prediction error by its code's distance to the nearest centre. "
         f"That distance alone scores {np.mean(cluster_only):.1f} % (chance: 50 %): "
         + ("it carries signal of its own." if margin > tolerance else
            "below chance — normal frames lie farther from the centres than anomalous ones, so weighting the error by "
            "it works against the score." if margin < -tolerance else
            "about chance, so weighting the error by it mostly adds noise — why the fused score can fall below the "
            "error alone."))

# %% [markdown]
# ## 6. Both branches on an anomalous clip
#
# For the middle anomalous frame of a test clip: the LIF, the spatial branch's FIF reconstruction,
# the motion branch's predicted difference, their sum (the predicted LIF), the squared error, and
# the distance of the codes to their nearest centre (upsampled) — error maps on one colour scale.

# %%
trained = load_model(headline, data, lab.cache)
index, description = showcase_clips(data)[0]
video = data.test[index]
first = dissociation.first_scored(headline)  # window j scores frame j + first
t = middle_anomalous_frame(video.labels, first)
window = t - first
out = dissociation.outputs(headline, trained, video)
to_image = lambda x: np.clip((x + 1) * 127.5, 0, 255)  # noqa: E731  [−1, 1] → grey levels
images = [[np.asarray(video.frames[t]).mean(-1), to_image(out["reconstruction"][window]),
           to_image(out["difference"][window]), to_image(out["reconstruction"][window] + out["difference"][window]),
           out["error_map"][window], out.get("cluster_map", out["error_map"])[window]]]
fig = figures.image_table(images, [f"{description}\nframe {t + 1}"],
                          ["last frame (LIF)", "FIF reconstruction", "predicted LIF − FIF", "predicted LIF",
                           "squared error", "nearest-centre distance"],
                          cmaps=["gray", "gray", "gray", "gray", "magma", "viridis"], colorbar_label="value")
lab.figure(fig, "fig2_branches")

# %% [markdown]
# ## 7. Where the variance attention looks

# %%
windows = torch.from_numpy(np.asarray(video.frames[window : window + headline.frames], np.float32) / 127.5 - 1).permute(0, 3, 1, 2)
maps = attention_maps(trained, windows)
if maps:
    fig = figures.image_table([[np.asarray(video.frames[t]).mean(-1)] + maps], [f"{description}, frame {t + 1}"],
                              ["last frame"] + [f"after motion stage {i + 1}" for i in range(len(maps))],
                              cmaps=["gray"] + ["magma"] * len(maps), colorbar_label="weight")
    lab.figure(fig, "fig3_variance_attention")

# %% [markdown]
# ## 8. The codes and their centres
#
# For every test window, the code at its position farthest from any centre, projected on the two
# principal axes of the training centres, with the centres; windows whose last frame is anomalous
# in red.

# %%
if headline.kmeans:
    codes, anomalous = [], []
    for clip in data.test:
        frames = torch.from_numpy(np.asarray(clip.frames, np.float32) / 127.5 - 1).permute(0, 3, 1, 2)
        clip_windows = frames.unfold(0, headline.frames, 1).movedim(-1, 1)[::4]
        codes.append(most_distant_codes(trained, clip_windows))
        anomalous.append(np.asarray(clip.labels)[first::4][: len(clip_windows)].astype(bool))
    codes, anomalous = np.concatenate(codes), np.concatenate(anomalous)
    pca = PCA(2).fit(trained.kmeans.centres.detach().numpy())
    fig, ax = figures.plt.subplots(figsize=(5, 4))
    for flag, colour, label in ((False, "tab:blue", "normal"), (True, "tab:red", "anomalous")):
        points = pca.transform(codes[anomalous == flag])
        ax.scatter(points[:, 0], points[:, 1], s=6, color=colour, alpha=0.5, label=f"{label} frames")
    centres = pca.transform(trained.kmeans.centres.detach().numpy())
    ax.scatter(centres[:, 0], centres[:, 1], marker="x", color="k", s=40, label="k-means centres")
    ax.set_xlabel("first principal axis of the centres")
    ax.set_ylabel("second principal axis")
    ax.legend(fontsize=7)
    lab.figure(fig, "fig4_codes_and_centres")

# %% [markdown]
# ## 9. Speed
#
# The paper reports 32 frames/s on one GPU. Below, frames/s at inference measured the same way for
# this model and for AnoPred's generator at the same size (batches of 32 windows, on this machine;
# `vadcore bench` records the same for every profile in `results/bench.md`).

# %%
batch = torch.rand(32, headline.frames, 3, *headline.size) * 2 - 1
anopred_config = plan["AnoPred", lab.seeds[0]]
speed = {"dissociation AE": bench.inference_fps(trained, batch),
         "AnoPred generator": bench.inference_fps(prediction.build(anopred_config, 1), batch[:, :4, :1])}
rows = [["paper (one GPU, 256×256)", "32"]] + [[f"{name} ({report.device_name()}, "
                                                f"{headline.size[0]}×{headline.size[1]})", f"{fps:.0f}"] for name, fps in speed.items()]
lab.show(report.write_table(lab.out, "table3_speed", ["model", "frames/s"], rows, "Inference speed"))

# %% [markdown]
# ## Questions for discussion

# %%
strongest = max(reference, key=lambda name: np.mean(reference[name]))
lab.show("\n".join([
    f"1. The dissociation AE reaches {np.mean(ours['Dissociation AE']):.1f} %, {strongest} {np.mean(reference[strongest]):.1f} %. "
    f"Which part of the model — appearance, motion, clusters — would you expect to matter on {lab.dataset}, and what "
    f"does the ablation say?",
    "2. The motion branch predicts LIF − FIF. What does it learn that an optical-flow network would, and what can it "
    "not represent (think of a bicycle entering the scene)?",
    f"3. The fused score multiplies the error map by the cluster-distance map; the error alone gives "
    f"{np.mean(scores['prediction error only']):.1f} %. When can a product of two weak signals be a strong one?",
    "4. The authors' code shifts its labels by one frame. On a dataset where 82 % of the test frames are anomalous "
    "in long runs, how much can a one-frame shift change the AUC — and which clips would it hurt most?",
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in paper.DEVIATIONS))
finish(lab, timings={f"seed {s}": r.timings for s, r in runs.items()})
