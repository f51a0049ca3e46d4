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
# # 02 — Attention-driven loss for anomaly detection (Zhou et al.)
#
# J. T. Zhou, L. Zhang, Z. Fang, J. Du, X. Peng, X. Yang, "Attention-driven loss for anomaly
# detection in video surveillance", IEEE TCSVT 30(12), 2020 (ADL), starts from AnoPred (Liu et al.,
# "Future frame prediction for anomaly detection — a new baseline", CVPR 2018): a U-Net predicts
# the next frame from the previous four, and a frame whose prediction is poor (low PSNR) is
# anomalous. Its observation: the static background dominates the training loss, so the network
# spends its capacity on pixels that never matter. Its fix: weight the content and gradient losses
# with an **attention map** that is high where things move — drawn by a person (Eq. 1) or computed
# from the training video in closed form (Eqs. 2–7).
#
# This notebook walks through Sections III–V and regenerates Tables I–V and Figures 4, 6, 7, 8
# and 9, each followed by a verdict computed from the numbers. Profiles: `smoke` (default,
# synthped, minutes: every path runs, no claim is made), `cpu` (real UCSD Ped2 at reduced size and
# schedule), `gpu` (the paper's size and widths, a short schedule: minutes on one GPU), `full`
# (the paper's settings; GPU hours).
#
# **In this lab you will**
# 1. derive a data-driven attention map in closed form and check it against autograd;
# 2. weight a frame predictor's losses with it, and measure how much of the update each loss term
#    actually makes;
# 3. choose what the paper does not fix for a small CPU setting on held-out training clips;
# 4. regenerate a paper's tables and figures and decide, from the numbers, which of its claims
#    hold — against predictors that learn nothing.
#
# **Before:** notebooks 00 (protocol, trivial predictors) and 01 (training, validation curves).
# Classroom time: about 45 min for the 4 exercises (10 + 10 + 15 + 10), 6 points
# and 2 for an explanation your teacher grades. The measured time of this notebook per profile (from its last recorded run):

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | gpu | full
device = "auto"  # auto (the GPU if there is one) | cpu | cuda | cuda:N
dataset = None  # None: synthped for smoke, ucsd_ped2 for cpu, gpu and full
data_root = None  # folder of a real dataset; None: data/<name>
results_dir = None  # None: results/<profile>/02_attention_driven_loss
seeds = None  # None: the profile's seeds (smoke: [0]; cpu, gpu, full: [0, 1, 2])
tables = ["I", "II", "III", "IV", "V"]  # which tables to run (Table I's runs also feed the figures)
iterations = None  # headline runs' schedule; None: the profile's
ablation_iterations = None  # Tables II, III, V; None: the profile's ablation schedule
flow = None  # λ_of; None: chosen on validation clips (full: the paper's 2)
lr = None  # G's learning rate (D's is a tenth); None: chosen on validation clips (full: the paper's 1e-4)

# %%
import numpy as np
import torch

from vadcore import baselines, figures, metrics, report
from vadcore.data.showcase import middle_anomalous_frame, showcase_clips
from vadcore.flow import LucasKanade
from vadcore.losses import gradient_loss
from vadcore.maps import attention
from vadcore.methods import TRAINED, prediction
from vadcore.methods.prediction import diagnostics
from vadcore.notebook import finish, start
from vadcore.papers import Claim, adl
from vadcore.report.rows import (per_seed, reference_metrics, reference_rows, search_curves, seed_metrics,
                                 table_verdicts, validation_psnr)
from vadcore.teaching import (expect_close, explanation_rubric, own_work, prediction_beside_outcome, record_prediction,
                              runtime_table)

lab = start(profile, dataset, data_root, seeds, results_dir, notebook="02_attention_driven_loss", device=device)
lab.show(runtime_table(lab.name))
base = prediction.profile_config(profile, lab.dataset, lab.seeds[0], device=lab.kind)  # the frames every run reads (size, dataset)
data = lab.data_for(base)  # the runs are trained (or read from the cache) in section 3, after the exercises
print(data, "working size", base.size, "seeds", lab.seeds)

# %% [markdown]
# ## 1. Attention maps (Section III)
#
# **Human attention (Eq. 1).** $A = M + B$ with a binary region-of-interest mask $M$ drawn by a
# person and a constant background weight $B = 0.1$. For synthped the ROI is the walkway the
# generator puts pedestrians on; for Ped2 it is a polygon shipped with `vadcore`
# (`vadcore/assets/ucsd_ped2_walkway.json`, which records how it was drawn — on training frames
# only).
#
# **Learned attention (Eqs. 2–7).** A dynamic image $M$ ranks the frames of a clip in time:
# with $V^t$ the mean of the first $t$ frames and $S(t \mid M) = \langle M, V^t \rangle$,
#
# $$\min_M \frac{2}{T(T-1)} \sum_{t_1 \ge t_2} \max\bigl(0, 1 - S(t_1|M) + S(t_2|M)\bigr) + \frac{\lambda}{2}\lVert M\rVert^2. \qquad (2)$$
#
# One gradient step from $M = 0$ gives the closed form (Eq. 6) $M^* \propto \sum_t \alpha_t I^t$ with
# $\alpha_t = 2(T - t + 1) - (T + 1)(H_T - H_{t-1})$. The weights sum to zero, so a static
# background cancels and only what moves remains. Eq. 7 turns it into a loss weight,
# $A = |M| / (\max M - \min M) + B$. We average $|M|$ over the training clips to get one map per
# dataset. First, the closed form against autograd's gradient of Eq. 2 on real frames:

# %%
clip = torch.from_numpy(np.array(data.train[0].frames[:12], np.float64) / 255)
mask = torch.zeros_like(clip[0], requires_grad=True)
attention.ranking_objective(mask, clip).backward()
closed_form = torch.from_numpy(attention.dynamic_image(clip.numpy()))
cosine = torch.nn.functional.cosine_similarity(-mask.grad.flatten(), closed_form.flatten(), dim=0)
print(f"cosine(−∇F(0), Σ α_t I^t) on 12 frames of {data.train[0].name}: {cosine.item():.6f}")
print("α_t for T = 12:", np.round(attention.dynamic_image_weights(12), 2))

# %% [markdown]
# ### Your turn 1 — the weights of the dynamic image (Eq. 6) · 1 point · ≈ 10 min
#
# Write `alpha(T)`: $\alpha(t) = 2(T - t + 1) - (T + 1)(H_T - H_{t-1})$ for $t = 1 \dots T$, with
# $H_t$ the $t$-th harmonic number and $H_0 = 0$. The check uses $T = 2$ and $T = 3$ by hand
# ($H_t$ in place of $H_{t-1}$, or $2(T - t)$ in place of $2(T - t + 1)$, gives other numbers) and the
# property that makes a static background vanish, and fails if the function calls the package's
# `attention.dynamic_image_weights`.

# %% tags=["solution"]
def alpha(T):
    """The dynamic-image weights α(1 … T) of ADL Eq. 6.

    Hint: np.cumsum(1 / np.arange(1, T + 1)) gives H_1 … H_T; prepend H_0 = 0.
    """
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, T + 1))])
    t = np.arange(1, T + 1)
    return 2.0 * (T - t + 1) - (T + 1) * (harmonic[T] - harmonic[t - 1])


# %% tags=["self-check"]
with own_work(alpha, "vadcore.maps.attention"):
    expect_close("alpha(2)", alpha(2), [-0.5, 0.5])  # 2·2 − 3·1.5 and 2·1 − 3·0.5
    expect_close("alpha(3)", alpha(3), [-4 / 3, 2 / 3, 2 / 3])  # 6 − 4·11/6, 4 − 4·5/6, 2 − 4·1/3
    expect_close("sum of alpha(12) (a static background cancels)", alpha(12).sum(), 0.0, atol=1e-9)
    ### BEGIN HIDDEN TESTS
    expect_close("alpha(1) (one frame: nothing to rank)", alpha(1), [0.0])
    expect_close("alpha(4)", alpha(4), [-29 / 12, 7 / 12, 13 / 12, 3 / 4])  # 8 − 5·25/12, 6 − 5·13/12, 4 − 5·7/12, 2 − 5/4
    for T in (5, 12, 40):
        expect_close(f"alpha({T})", alpha(T), attention.dynamic_image_weights(T))
    ### END HIDDEN TESTS
print("alpha: correct")

# %%
maps = {"human (Eq. 1)": attention.attention_map("human", data.train, lab.dataset, base.size),
        "learned (Eq. 7)": attention.attention_map("learned", data.train, lab.dataset, base.size)}
single = attention.normalize_attention(attention.dynamic_image(np.asarray(data.train[0].frames, np.float64) / 255))
fig = figures.image_table(
    [[data.train[0].frames[0], single, *maps.values()]], [lab.dataset],
    ["training frame", f"learned, clip {data.train[0].name} only", "human ROI map", "learned map, all training clips"],
    cmaps=["gray", "magma", "magma", "magma"], width=3.2, colorbar_label="attention A")
fig.suptitle("Fig. 4 — attention maps (B = 0.1)", y=1.04)
lab.figure(fig, "fig4_attention_maps")
for name, values in maps.items():
    print(f"{name}: range {values.min():.2f}–{values.max():.2f}, mean {values.mean():.2f}")

# %% [markdown]
# ### Your turn 2 — from a dynamic image to a loss weight (Eq. 7) · 2 points · ≈ 10 min
#
# Write `attention_from(M, B)`: $A = |M| / (\max M - \min M) + B$; a clip in which nothing moves has
# $M = 0$ everywhere (the weights sum to zero) and gets the background weight $B$ everywhere. The
# check uses hand cases — a map with a negative minimum, where dividing by $\max |M|$, by the range
# of $|M|$ or min–max normalising $M$ gives other numbers; another $B$; a static clip — and fails if
# the function calls the package's `attention.normalize_attention`.

# %% tags=["solution"]
def attention_from(M, B=0.1):
    """ADL Eq. 7: A = |M| / (max M − min M) + B; a constant M gives B everywhere.

    Hint: np.abs and np.ptp (the range max − min); check the range for zero before dividing.
    """
    M = np.asarray(M, dtype=float)
    span = np.ptp(M)
    return (np.zeros_like(M) if span == 0 else np.abs(M) / span) + B


# %% tags=["self-check"]
with own_work(attention_from, "vadcore.maps.attention"):
    expect_close("attention_from([[-1, 3], [0, 1]])", attention_from([[-1.0, 3.0], [0.0, 1.0]]), [[0.35, 0.85], [0.1, 0.35]])
    expect_close("attention_from([[-2, 2]], B=0.5)", attention_from([[-2.0, 2.0]], B=0.5), [[1.0, 1.0]])
    expect_close("attention_from of a static clip (M = 0)", attention_from(np.zeros((2, 2))), np.full((2, 2), 0.1))
    ### BEGIN HIDDEN TESTS
    given = np.array([[0.0, -4.0]])
    expect_close("attention_from([[0, -4]], B=0)", attention_from(given, B=0.0), [[0.0, 1.0]])
    expect_close("the map after attention_from (unchanged)", given, [[0.0, -4.0]])
    expect_close("attention_from([[1, 1], [1, 1]]) (constant: B everywhere)", attention_from(np.ones((2, 2)), B=0.3),
                 np.full((2, 2), 0.3))
    expect_close("attention_from(the dynamic image of 12 training frames)", attention_from(closed_form.numpy()),
                 attention.normalize_attention(closed_form.numpy()))
    ### END HIDDEN TESTS
print("attention_from: correct")

# %% [markdown]
# ## 2. The losses (Sections III-B and IV)
#
# The generator's loss is Eq. 12:
#
# $$\ell_G = \lambda_{acl}\,\ell_{acl} + \lambda_{agd}\,\ell_{agd} + \lambda_{of}\,\ell_{of} + \lambda_{adv}\,\ell^G_{adv}, \qquad \lambda = 1, 1, 2, 0.05,$$
#
# with the attention-driven content loss $\ell_{acl} = \lVert A \circ (\hat I - I)\rVert_2^2$ (Eq. 8),
# the attention-driven gradient loss (Eqs. 9–10: the same weighting on the differences of absolute
# image gradients), AnoPred's optical-flow loss $\ell_{of} = \lVert f(I_t, \hat I_{t+1}) - f(I_t, I_{t+1})\rVert_1$
# and the least-squares adversarial loss $\ell^G_{adv} = (D(\hat I) - 1)^2$ (Eq. 11); the patch
# discriminator is trained in alternation with $\tfrac12[(D(I) - 1)^2 + D(\hat I)^2]$ (Eq. 13).
# Without the map ($A = 1$) this is AnoPred. Code: `vadcore.losses`, `vadcore.flow`,
# `vadcore.methods.prediction`.
#
# **Optical flow without FlowNet.** The paper uses a frozen FlowNet, whose weights cannot be
# downloaded here. `vadcore.flow.LucasKanade` is a pyramidal Lucas–Kanade estimator written in
# torch: no weights, differentiable, so the loss reaches the generator (a user's own flow network
# can be passed to the trainer instead). Below, its flow between two consecutive training frames.

# %%
video = data.train[0]
first, second = (torch.from_numpy(np.array(video.frames[i], np.float32) / 127.5 - 1)[None, None] for i in (30, 31))
flow_field = LucasKanade()(first, second)[0].numpy()
lab.figure(figures.image_table([[video.frames[30], video.frames[31], np.hypot(*flow_field)]], [video.name],
                               ["frame 31", "frame 32", "|flow| (Lucas–Kanade)"], cmaps=["gray", "gray", "magma"],
                               colorbar_label="pixels"), "fig_flow_example")

# %% [markdown]
# ### Your turn 3 — the attention-driven gradient loss (Eqs. 9–10) · 2 points · ≈ 15 min
#
# Write `attention_gradient_loss(prediction, target, A)` in torch: the mean over pixels of
# $|A \circ (|\nabla_i \hat I| - |\nabla_i I|)|$ plus the same along $j$, where
# $\nabla_i x = x_{i,j} - x_{i-1,j}$ and $\nabla_j x = x_{i,j} - x_{i,j-1}$, zero on the first row
# (column). The check uses a 2×3 case by hand, with a prediction whose first row has the target's
# edges with their signs flipped (there $|\nabla \hat I| - |\nabla I| = 0$ but
# $\nabla \hat I - \nabla I \neq 0$) and a map $A$ that is not constant, and a prediction with every
# edge flipped, whose loss is 0. It fails if the function calls the package's
# `losses.gradient_loss` or `losses.image_gradients`.

# %% tags=["solution"]
def attention_gradient_loss(prediction, target, A):
    """ADL Eqs. 9–10 with means instead of sums, for tensors (…, H, W) and a map A (H, W).

    Hint: x[..., 1:, :] − x[..., :-1, :] is ∇_i on rows 1 …; pad a zero row (column) in front with
    torch.nn.functional.pad before weighting by A.
    """
    def absolute_gradients(x):
        rows = torch.nn.functional.pad((x[..., 1:, :] - x[..., :-1, :]).abs(), (0, 0, 1, 0))
        columns = torch.nn.functional.pad((x[..., :, 1:] - x[..., :, :-1]).abs(), (1, 0, 0, 0))
        return rows, columns

    (pred_rows, pred_columns), (rows, columns) = absolute_gradients(prediction), absolute_gradients(target)
    return (A * (pred_rows - rows)).abs().mean() + (A * (pred_columns - columns)).abs().mean()


# %% tags=["self-check"]
with own_work(attention_gradient_loss, "vadcore.losses"):
    target = torch.tensor([[[[0.0, 1.0, 3.0], [0.0, 0.0, 0.0]]]])
    predicted = torch.tensor([[[[0.0, -1.0, -3.0], [0.0, 1.0, 0.0]]]])
    weights = torch.tensor([[1.0, 2.0, 1.0], [0.5, 1.0, 2.0]])
    # along i: |A ∘ ([0, 2, 3] − [0, 1, 3])| = [0, 1, 0] on row 1; along j: 0 on row 0, [0, 1, 2] on row 1 → (1 + 3) / 6
    expect_close("attention_gradient_loss of the 2×3 hand case", attention_gradient_loss(predicted, target, weights),
                 2 / 3, atol=1e-6)
    expect_close("attention_gradient_loss of a prediction with every edge flipped",
                 attention_gradient_loss(-target, target, weights), 0.0, atol=1e-6)
    ### BEGIN HIDDEN TESTS
    # the same case transposed: i and j swap roles, so a map applied along one axis only gives 1/2 in one of the two
    expect_close("attention_gradient_loss of the transposed 3×2 hand case",
                 attention_gradient_loss(predicted.transpose(-1, -2), target.transpose(-1, -2), weights.T), 2 / 3, atol=1e-6)
    plain = torch.ones(2, 3)  # A = 1: the plain gradient loss, (1 + 2) / 6 on the first case
    expect_close("attention_gradient_loss of the 2×3 hand case with A = 1", attention_gradient_loss(predicted, target, plain),
                 0.5, atol=1e-6)
    unchanged = predicted.clone()
    attention_gradient_loss(predicted, target, weights)
    expect_close("the prediction after attention_gradient_loss (unchanged)", predicted, unchanged, atol=0)
    frames = torch.from_numpy(np.array(data.train[0].frames[:2], np.float32) / 127.5 - 1)[:, None]
    learned = torch.from_numpy(maps["learned (Eq. 7)"]).float()
    expect_close("attention_gradient_loss of two training frames with the learned map",
                 attention_gradient_loss(frames[:1], frames[1:], learned), gradient_loss(frames[:1], frames[1:], learned))
    ### END HIDDEN TESTS
print("attention_gradient_loss: correct")

# %% [markdown]
# ## 3. Settings the paper does not fix, chosen on validation clips
#
# At our reduced size and schedule the paper's learning rates and its λ_of for FlowNet have no
# reason to be right. They are chosen on two training clips held out of training (normal video the
# model never sees): runs on the profile's own schedule at `smoke` and `cpu` (so the chosen one is
# the first seed's AnoPred; `gpu` tries 1,000 iterations) try λ_of at the paper's learning rates, then the learning rates at the chosen λ_of, then
# whether both fall tenfold part-way (AnoPred's decay). Predicting normal frames well is not the same as separating anomalies, so a
# trial is judged by how well it *detects*: each held-out clip is altered three ways — a stretch
# played 2–4× faster, a stretch played backwards, a patch of another clip moving across the frame
# (`vadcore.data.pseudo`) — and the micro AUC of the altered frames (known by construction) is the
# criterion; the mean PSNR of the held-out frames is shown beside it. No test label is read.
# `full` keeps the paper's values.
#
# Here the notebook trains every run of its study — or reads it from the run cache, where a
# teacher may have put them (`vadcore runs import`, `docs/teaching.md`).

# %%
study = lab.study(adl.study(profile, lab.dataset, lab.seeds, device=lab.kind, flow=flow, lr=lr, iterations=iterations, tables=tables,
                            ablation_iterations=ablation_iterations))  # every run, trained or read from the cache
plan, runs = study.configs, study.results
settings, choice, short = study.value["settings"], study.value["choice"], study.value["short"]
base = plan["full", "AnoPred", lab.seeds[0]]

# %%
if choice is not None:
    reference_psnr = validation_psnr(baselines.trivial_predictions(choice.trials[0].config, data), "{name}: {psnr:.2f} dB")
    lab.show(report.search_table(lab.out, "table0_validation", choice,
                                 f"Validation search on {lab.dataset} ({choice.final.config.iterations} iterations, "
                                 f"seed {lab.seeds[0]}, {base.validation_clips} held-out training clips)",
                                 "Trivial predictors on the same held-out frames: " + ", ".join(reference_psnr) + "."))
    lab.figure(figures.validation_curves(search_curves(choice), reference_psnr, title="Held-out training clips"), "fig0_validation")
    lab.show(report.criteria_table(lab.out, "table0_criteria", choice))
print("settings on top of the profile:", report.settings_text(settings))

# %% [markdown]
# **The loss balance.** λ_of = 2 was set for FlowNet's flow. With Lucas–Kanade, how much of the
# generator's update does each term make? Below, on 16 training windows, each λ-weighted term's
# share of the gradient of ℓ_G with respect to G's weights (⟨g_k, g⟩/‖g‖², the shares sum to 1)
# and the fraction of its gradient with respect to the predicted frame that falls on pixels that
# do not move (`vadcore.methods.prediction.diagnostics`), for G at initialisation and after the
# validation runs at the paper's λ_of and at the chosen one. This is what the choice above
# rests on: a term with nearly all of the update, spent on pixels that do not move, is fitting
# the estimator's noise.

# %%
paper_flow = adl.paper_flow_trial(choice)
if paper_flow is not None:
    chosen_run = choice.final
    balance = {"G at initialisation, λ_of = 2": lab.read_off(paper_flow.config, diagnostics.run_gradient_shares,
                                                             paper_flow.config, data),
               "after the λ_of = 2 run": lab.read_off(paper_flow.config, diagnostics.run_gradient_shares,
                                                      paper_flow.config, data, TRAINED),
               f"after the chosen run (λ_of = {chosen_run.config.flow:g})": lab.read_off(
                   chosen_run.config, diagnostics.run_gradient_shares, chosen_run.config, data, TRAINED)}
    lab.show(report.write_table(lab.out, "table0_loss_balance",
                                ["model", "term", "λ·ℓ", "‖∇θ λℓ‖", "share of the update", "on static pixels"],
                                adl.balance_rows(balance),
                                "The loss balance: each term's share of G's gradient on 16 training windows",
                                "Static pixels: |ΔI| ≤ 0.05 between the last input frame and the target."))

# %% [markdown]
# ## 4. Training and scoring
#
# Every setting the tables need is a *variant* of one config (`vadcore.papers.adl.VARIANTS`) with
# the settings chosen above. AnoPred and ADL — the headline rows — are trained with every seed of
# the profile on its full schedule; the ablation rows (Tables II, III, V) with the first seed on
# a shorter schedule (half the profile's at `cpu`; a chosen decay at the same share of it), their
# Base and B = 0.1 rows included, so that each table
# compares runs of one length. Each (variant, schedule, seed) is one run in the run cache, shared
# between tables and resumed if interrupted. The weights after the last iteration are evaluated.
#
# A test frame's score is the PSNR of its prediction (Eqs. 14–15), normalised per clip (Eq. 16);
# the first four frames of each clip have no prediction and are dropped with their labels. Every
# table carries the trivial predictors at the same size, scored the same way.

# %%
micro = adl.micro_auc(runs)  # {(schedule, variant): micro AUC % per seed}
headline_config = plan["full", "AnoPred", lab.seeds[0]]
trivial = baselines.trivial_predictions(headline_config, data)
reference = reference_rows(trivial, data.test, prediction.first_scored(headline_config))
noise = report.seed_noise(adl.ours(micro, "I"))  # the headline rows, every seed
for (schedule, variant), values in micro.items():
    print(f"{schedule:5s} {variant:18s} micro AUC {np.mean(values):5.1f}  ({len(values)} seed{'s' if len(values) > 1 else ''})")

# %% [markdown]
# Do the headline runs predict held-out normal frames better than copying the last frame? Their
# validation PSNR during training, against the trivial predictors on the same frames:

# %%
val_reference = validation_psnr(trivial)
curves = {f"{v}, seed {s}": (runs["full", v, s].curves["val_step"], runs["full", v, s].curves["val_psnr"])
          for v in adl.HEADLINE for s in lab.seeds if "val_psnr" in runs["full", v, s].curves}
if curves:
    lab.figure(figures.validation_curves(curves, val_reference, title="Headline runs on the held-out training clips"),
               "fig_validation_headline")

# %% [markdown]
# ## 5. Table I — comparison with the state of the art
#
# Rows we do not implement are quoted from the paper. The paper column is the paper's value for
# the dataset we ran on; synthped is ours, so on it the table has only our rows (the `cpu`
# results hold the Ped2 comparison).

# %%
size = f"{base.size[0]}×{base.size[1]}"
ours = adl.ours(micro, "I")
lab.show(report.paper_table(
    lab.out, "table1_state_of_the_art", adl.TABLE_1, lab.dataset, ours, reference,
    footnote=f"Frame-level micro AUC %, ours as mean ± std over seeds {lab.seeds}, last iteration; {size}, U-Net width "
             f"{headline_config.width}, {headline_config.iterations} iterations, settings chosen on validation clips: {report.settings_text(settings)} "
             f"(see Deviations). "
             f"Reference rows at the same size on the same frames (first {prediction.first_scored(headline_config)} of each clip dropped)."))
lab.show(report.table_verdict(adl.CLAIMS["I"], adl.TABLE_1, lab.dataset, ours, reference))

# %% [markdown]
# ## 6. Table II — the attention-driven losses alone
#
# No flow and no adversarial loss: plain content loss, attention-driven content loss, and each
# with a plain or attention-driven gradient loss.

# %%
if "II" in tables:
    ours = adl.ours(micro, "II")
    lab.show(report.paper_table(lab.out, "table2_losses", adl.TABLE_2, lab.dataset, ours, reference, footnote=(
        f"Micro AUC %, seed {lab.seeds[0]}, {short} iterations, λ_of = λ_adv = 0; learned attention map.")))
    lab.show(table_verdicts((adl.CLAIMS["II"], adl.CLAIMS["II-gradient"]), adl.TABLE_2, lab.dataset, ours, reference,
                            noise))

# %% [markdown]
# ## 7. Table III — human vs learned attention

# %%
if "III" in tables:
    ours = adl.ours(micro, "III")
    lab.show(report.paper_table(lab.out, "table3_attention_maps", adl.TABLE_3, lab.dataset, ours, reference, footnote=(
        f"Micro AUC %, seed {lab.seeds[0]}, {short} iterations (Base is AnoPred, +Our attention is ADL, both on "
        f"this shorter schedule).")))
    lab.show(report.table_verdict(adl.CLAIMS["III"], adl.TABLE_3, lab.dataset, ours, reference, noise))

# %% [markdown]
# ## 8. Table IV — the loss on reconstruction models
#
# The attention-driven content loss also applies to the reconstruction baselines of notebook 01:
# their MSE is weighted by the learned map (computed at their frame size from their training
# clips). The rows without the loss are notebook 01's runs (shared through the run cache).

# %%
if "IV" in tables:
    ours = per_seed(runs, adl.RECONSTRUCTION_ROWS, lab.seeds[:1], within=("IV",))
    lab.show(report.paper_table(lab.out, "table4_reconstruction_models", adl.TABLE_4, lab.dataset, ours, reference,
                                footnote=f"Micro AUC %, seed {lab.seeds[0]}; notebook 01's settings (reduced widths and "
                                         f"schedules); every frame scored."))
    lab.show(table_verdicts((adl.CLAIMS["IV-conv"], adl.CLAIMS["IV-convlstm"]), adl.TABLE_4, lab.dataset, ours,
                            reference, noise))

# %% [markdown]
# ## 9. Table V — the background weight B
#
# $B$ keeps the background in the loss (Eq. 7); the paper sweeps it on Ped2.

# %%
if "V" in tables:
    ours = adl.ours(micro, "V")
    lab.show(report.paper_table(lab.out, "table5_background_weight", adl.TABLE_5, lab.dataset, ours, reference,
                                footnote=f"Micro AUC %, seed {lab.seeds[0]}, {short} iterations; the paper reports Ped2 only."))
    lab.show(report.table_verdict(adl.CLAIMS["V"], adl.TABLE_5, lab.dataset, ours, reference, noise))

# %% [markdown]
# ## 10. Every protocol metric
#
# The headline rows with the other metrics of notebook 00, next to the scores that learn nothing on
# the same frames.

# %%
rows = {**seed_metrics(runs, adl.HEADLINE, lab.seeds, within=("full",)),
        **reference_metrics(trivial, data.test, prediction.first_scored(headline_config))}
lab.show(report.metrics_table(lab.out, "table6_all_metrics", rows, f"Every protocol metric on {lab.dataset}",
                              footnote=f"At {size}; every row scores frames {prediction.first_scored(headline_config) + 1}… of each clip."))

# %% [markdown]
# ## 11. Fig. 6 — score gap
#
# The normalised score $S_t$ of Eq. 16 (PSNR min–max normalised per clip: high = normal) on one
# test clip, with and without the attention-driven loss, anomalous frames shaded, and the
# difference ADL − AnoPred. The paper's claim: with the loss, normal frames score higher and
# anomalous frames lower — a larger score gap ΔS over all test frames.

# %%
showcase = showcase_clips(data)
index, description = showcase[0]
offset = prediction.first_scored(headline_config)
labels = data.test[index].labels[offset:]
normalised = {v: metrics.minmax(runs["full", v, lab.seeds[0]].scores["psnr"][index]) for v in adl.HEADLINE}
lab.figure(figures.score_difference(normalised, labels, offset, f"Fig. 6 — {description}, seed {lab.seeds[0]}"),
           "fig6_score_gap")
gaps = {v: [runs["full", v, s].metrics["score_gap"] for s in lab.seeds] for v in adl.HEADLINE}
lab.show(report.verdict(Claim("the loss enlarges the score gap ΔS", "ADL", "AnoPred"), gaps, digits=3))

# %% [markdown]
# ## 12. Fig. 7 — foreground and background PSNR
#
# PSNR of the predictions over the moving foreground and over the background of the same clip.
# Foreground: synthped's exact object masks; for real datasets, background subtraction
# (|frame − temporal median| above Otsu's threshold, `vadcore.maps.foreground`). The paper: with
# the loss, both drop (the model no longer spends itself on the background).

# %%
regions = {region: {v: runs["full", v, lab.seeds[0]].scores[f"psnr_{region}"][index] for v in adl.HEADLINE}
           for region in ("foreground", "background")}
lab.figure(figures.region_curves(regions, labels, offset, title=f"Fig. 7 — {description}, seed {lab.seeds[0]}"),
           "fig7_foreground_background_psnr")
for region in ("foreground", "background"):
    means = {v: [float(np.nanmean(np.concatenate(runs["full", v, s].scores[f"psnr_{region}"]))) for s in lab.seeds]
             for v in adl.HEADLINE}
    lab.show(report.verdict(Claim(f"the loss lowers the {region} PSNR of test frames", "AnoPred", "ADL"), means, digits=2))

# %% [markdown]
# ### Your turn 4 — predict, run, explain: scoring only the moving pixels · 1 point · ≈ 10 min
#
# The attention map says that the pixels worth learning are the ones that move. The next cell
# scores every test frame of the ADL runs by the PSNR of its prediction over the moving foreground
# only (the masks of Fig. 7; a frame in which nothing moves counts as its clip's most normal)
# instead of over the whole frame, through the same protocol (Eq. 16, micro AUC). **Before you run
# it**, write down in `foreground_prediction()` whether ADL's micro AUC will come out higher, lower
# or about the same (within 1 point), and why. The check shows your prediction beside the outcome;
# a wrong prediction passes — explain it in the discussion.

# %% tags=["solution"]
def foreground_prediction():
    """``(choice, reason)``: ``choice`` is "higher", "lower" or "about the same"; ``reason`` one sentence.

    Hint: the whole-frame MSE grows with the area that is predicted badly; what does the foreground PSNR divide by?
    """
    return ("lower", "the whole-frame error grows with the area predicted badly, which a cart or a fast bicycle makes "
                     "large, while the foreground PSNR divides by the moving area and keeps only how badly each moving "
                     "pixel is predicted")


# %%
prediction = record_prediction(foreground_prediction)  # taken now, before the experiment below runs, and kept

# %%
test_labels = metrics.drop_first([video.labels for video in data.test], offset)
foreground_only = []
for s in lab.seeds:
    foreground_psnr = [np.nan_to_num(p, nan=np.nanmax(p))  # a frame in which nothing moves: the clip's most normal
                       for p in runs["full", "ADL", s].scores["psnr_foreground"]]
    foreground_only.append(100 * metrics.frame_metrics(foreground_psnr, test_labels, higher_is_normal=True).micro_auc)

# %% tags=["self-check"]
lab.show(prediction_beside_outcome(prediction, np.mean(micro["full", "ADL"]), np.mean(foreground_only),
                                   "ADL micro AUC (%)", "PSNR of the moving foreground only", tolerance=1.0))

# %% [markdown]
# **Your explanation · 2 points, graded by your teacher.** In one paragraph, explain the outcome
# above with the numbers of this run: which mechanism moved the number, and — if your prediction
# missed — which assumption failed. Write it in the next cell.

# %% [markdown] tags=["explanation"]
# *Write your explanation here.*

# %% [markdown]
# ## 13. Fig. 8 — error maps
#
# An anomalous frame of two test clips, and the squared prediction error of each model, on one
# colour scale.

# %%
image_rows, row_labels = [], []
for index_, description_ in showcase[:2]:
    video = data.test[index_]
    t = middle_anomalous_frame(video.labels, offset)
    image_rows.append([video.frames[t]] + [lab.read_off(plan["full", v, lab.seeds[0]], diagnostics.error_map, TRAINED,
                                                        video, t, offset) for v in adl.HEADLINE])
    row_labels.append(f"{description_}\nframe {t + 1}")
fig = figures.image_table(image_rows, row_labels, ["frame"] + [f"{v} squared error" for v in adl.HEADLINE],
                          cmaps=["gray", "magma", "magma"], width=3.2, colorbar_label="squared error", shared_scale=True)
fig.suptitle(f"Fig. 8 — prediction errors, seed {lab.seeds[0]}", y=1.02)
lab.figure(fig, "fig8_error_maps")

# %% [markdown]
# ## 14. Fig. 9 — foreground and background error during training
#
# The MSE of each training prediction over its moving foreground and over its background, per
# iteration (moving average). The paper's point: with the loss, the foreground error falls lower
# while the background error stays higher.

# %%
fig, axes = figures.plt.subplots(1, 2, figsize=(11, 3.2))
for ax, region in zip(axes, ("background", "foreground")):
    figures.training_curves({v: runs["full", v, lab.seeds[0]].curves[f"mse_{region}"] for v in adl.HEADLINE},
                            f"{region} MSE", smooth=50, ax=ax)
    ax.set_title(f"{region} MSE during training, seed {lab.seeds[0]}", fontsize=9)
lab.figure(fig, "fig9_training_mse")
tail = max(1, headline_config.iterations // 10)
final = {v: [float(np.nanmean(runs["full", v, s].curves["mse_foreground"][-tail:])) * 1e3 for s in lab.seeds]
         for v in adl.HEADLINE}
lab.show(report.verdict(Claim("the loss lowers the foreground training MSE (×10⁻³, last 10 % of training)",
                                  "AnoPred", "ADL"), final, digits=2))

# %% [markdown]
# ## Questions for discussion

# %%
copy_auc = reference["copy last frame"][0]
anopred, adl_auc = np.mean(micro["full", "AnoPred"]), np.mean(micro["full", "ADL"])
difference, half = report.difference_interval(micro["full", "ADL"], micro["full", "AnoPred"], noise)
validated = "val_psnr" in runs["full", "AnoPred", lab.seeds[0]].curves
foreground_change = np.mean(foreground_only) - adl_auc
flow_share = "" if paper_flow is None else \
    f" At λ_of = 2 the flow term made {balance['after the λ_of = 2 run']['flow']['share']:.0%} of G's update."
lab.show("\n".join([
    f"1. Copying the last frame scores {copy_auc:.1f} %; AnoPred trained for {headline_config.iterations} iterations "
    f"scores {anopred:.1f} %. "
    + ("What must a predictor learn to beat a copy" if anopred <= copy_auc else "What has AnoPred learned that a copy lacks")
    + (", and what in the validation curves tells you whether it has?" if validated else
       ", and how would you tell without test labels?"),
    f"2. λ_of = 2 was tuned for FlowNet.{flow_share} Why does a loss weight not carry over from one flow "
    f"estimator to another, and what would you measure before trusting any λ?",
    f"3. ADL − AnoPred = {difference:+.1f} points here "
    + (f"(95 % interval ± {half:.1f})" if np.isfinite(half) else "(one seed: no interval)")
    + "; the paper reports +0.6. How many seeds would it take to tell a 0.6-point gain from seed noise?",
    "4. The attention map weights pixels that moved in the *training* video. What kind of anomaly would it make "
    "harder to detect?",
    f"5. Scored by the PSNR of the moving foreground only, ADL reaches {np.mean(foreground_only):.1f} % instead of "
    f"{adl_auc:.1f} % ({foreground_change:+.1f} points). What does the whole-frame error measure that the "
    "foreground PSNR does not, and does the result speak for or against the attention map's premise?",
]))

# %% tags=["answer-key"]
learned_map = maps["learned (Eq. 7)"]
held_out_psnr = np.mean([runs["full", "AnoPred", s].curves["val_psnr"][-1] for s in lab.seeds]) if validated else np.nan
background = {v: np.mean([np.nanmean(np.concatenate(runs["full", v, s].scores["psnr_background"])) for s in lab.seeds])
              for v in adl.HEADLINE}
needed = {sigma: int(np.ceil(2 * (1.96 * sigma / 0.6) ** 2)) for sigma in ([noise] if noise else [1.0, 0.5])}
lab.show("\n".join([
    "**Answer key** (the teacher's copy only; student copies leave this cell out)",
    "1. To predict motion — where each pedestrian will be one frame later — better than repeating the last frame; "
    "a copy already predicts the static background perfectly. "
    + (f"On the held-out clips AnoPred ends at {held_out_psnr:.2f} dB against the copy's "
       f"{trivial['copy last frame']['val_psnr']:.2f} dB: "
       + ("it predicts unseen normal frames better than a copy" if held_out_psnr > trivial["copy last frame"]["val_psnr"]
          else "it has not learned to predict unseen normal frames better than a copy")
       + f", and its AUC is {abs(anopred - copy_auc):.1f} points {'above' if anopred > copy_auc else 'below'} the copy's."
       if validated else
       "Hold out training clips and compare the model's PSNR on them with the copy's, as `smoke`, `cpu` and `gpu` do."),
    "2. λ scales a loss whose size and noise depend on the estimator: Lucas–Kanade is noisier than FlowNet, "
    "especially on static and textureless pixels, so the same λ gives the term another share of the update."
    + ("" if paper_flow is None else
       f" Here, after the λ_of = 2 run, the flow term made {balance['after the λ_of = 2 run']['flow']['share']:.0%} "
       f"of G's update, {balance['after the λ_of = 2 run']['flow']['static_fraction']:.0%} of its gradient on pixels "
       "that do not move.")
    + " Measure each term's share of the gradient and choose λ on held-out training clips (section 3).",
    "3. Two groups of n seeds separate a difference d from noise when 1.96·σ·√(2/n) < d, so n > 2·(1.96·σ/0.6)². "
    + (f"With this run's between-seed spread σ = {noise:.2f} points, about {needed[noise]} seeds per model."
       if noise else
       f"One seed measures no σ: at σ = 1 point that is {needed[1.0]} seeds per model, at σ = 0.5 still "
       f"{needed[0.5]}."),
    f"4. An anomaly where nothing moved in training — someone crossing the lawn, an object left beside the path: "
    f"the map gives those pixels its lowest weights (here {learned_map.min():.2f}, against up to "
    f"{learned_map.max():.2f} where people walk), so the model learns them least, its errors there are larger on "
    "normal frames too, and an anomaly there stands out less. "
    + (f"Fig. 7 shows the cost: ADL's background PSNR on test frames is {background['ADL']:.2f} dB against AnoPred's "
       f"{background['AnoPred']:.2f} dB." if background["ADL"] < background["AnoPred"] else
       f"Here ADL's background PSNR ({background['ADL']:.2f} dB) is not below AnoPred's "
       f"({background['AnoPred']:.2f} dB), so at this schedule the cost does not show."),
    f"5. {adl_auc:.1f} % → {np.mean(foreground_only):.1f} %. The whole-frame MSE is the moving area times the error "
    "per moving pixel (over the frame's size): a large or fast object makes a large badly predicted area. "
    + ("The foreground PSNR divides that area away and keeps only the error per moving pixel, which differs less "
       "between a pedestrian and a bicycle than their areas do. The map's premise holds for where the model should "
       "learn, not for how a frame should be scored: the amount of badly predicted motion is the signal."
       if foreground_change < -1 else
       "Here dropping the background removed noise (static pixels that are predicted imperfectly) about as much as "
       "it lost the area signal: both scores rank the frames alike."
       if abs(foreground_change) <= 1 else
       "Here the background's errors were mostly noise that hid the anomalies, so removing it helped more than "
       "losing the area signal: for scoring, too, the moving pixels carry the information — the map's premise.")
    + (" (The foreground here is synthped's exact object masks.)" if lab.dataset == "synthped" else
       " (The foreground here comes from background subtraction, which also marks noise and misses slow objects.)"),
    explanation_rubric(5),
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in adl.DEVIATIONS))
finish(lab, settings=settings, timings={f"{s} {v} seed {seed}": r.timings for (s, v, seed), r in runs.items()})
