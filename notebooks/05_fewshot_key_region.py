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
# # 05 — Few-shot anomalous actions with key regions (Xiao et al., on TRX)
#
# J. Xiao, S. Wang, Y. Wu, C. Zhao, Y. Chen, H. Zhang, "Anomalous Action Recognition with
# Spatio-Temporal Key Region Enhancement and Few-Shot Learning" (Chinese Journal of Computers
# 48(1), 2025) changes the task: instead of scoring frames of one scene, it **classifies short
# clips** from a handful of examples. A network meta-trained on many normal action classes
# (Kinetics) must tell apart, from 1 or 5 examples each, 5 classes it has never seen — unseen
# normal actions, or anomalous ones (UCF-Crime v2). Its base is TRX (Perrett et al., CVPR 2021),
# which matches ordered pairs and triples of frames of a query against those of each class's
# examples. The paper adds a **key region**: a crop of every frame, placed where the global
# feature map (after a spatio-temporal relation module) says the action is, whose features enhance
# the global ones; a refined distance; and three training tricks.
#
# We regenerate Tables 1–3 and Figures 6–7 on **synthactions**, a generated dataset where the
# actor is small, the background moves, and the actor's true box is known — so we can also measure
# what no paper can: how often the chosen region holds the actor. Each table is followed by a
# verdict computed from the numbers.
#
# **In this lab you will**
# 1. sample C-way K-shot episodes whose classes no training episode has seen;
# 2. write the Hausdorff distance between two sets of frame features, the key-region centre and
#    the sampling of an episode;
# 3. compare TRX with and without the key region on the *same* test episodes, with intervals;
# 4. check both against scores that learn nothing;
# 5. predict what more queries per test episode do to the accuracy, then measure it.
#
# **Before:** notebook 00 (the protocol's spirit: trivial scores first). Classroom time: about 60 min
# for the 4 exercises (15 + 20 + 15 + 10), 7 points
# and 2 for an explanation your teacher grades. The measured time of this notebook per profile (from its last recorded run):

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | gpu | full
device = "auto"  # auto (the GPU if there is one) | cpu | cuda | cuda:N
dataset = None  # None: synthactions for smoke and cpu, kinetics100 for full
data_root = None  # folder of a real dataset; None: data/<name>
anomalous = None  # dataset whose test classes are the anomalous split; None: the profile's (full: ucfcrime_v2)
anomalous_root = None  # its folder; None: data/<name>
results_dir = None  # None: results/<profile>/05_fewshot_key_region
seeds = None  # None: the profile's seeds (smoke: [0]; cpu, gpu, full: [0, 1, 2])
shots = [1, 5]  # the K of the K-shot settings
iterations = None  # None: the profile's schedule
lr = None  # learning rate; None: chosen on the validation classes (full: the paper's 1e-3)
backbone_weights = None  # ImageNet ResNet weights, a torchvision state_dict file (needed at full)
ablations = True  # train Tables 2 and 3's rows (one seed, 5-shot)
ablation_iterations = None  # Tables 2 and 3's schedule; None: the validation runs' (full: the profile's)

# %%
from dataclasses import replace

import numpy as np
import torch

from vadcore import baselines, figures, metrics, report
from vadcore.methods import TRAINED, fewshot
from vadcore.methods.fewshot import diagnostics
from vadcore.models.fewshot import hausdorff_distance
from vadcore.models.key_region import key_region_centres
from vadcore.notebook import finish, start
from vadcore.papers import fewshot_key_region as paper
from vadcore.report.rows import quoted_cells, split_rows, trial_rows
from vadcore.profiles import default_dataset
from vadcore.teaching import (expect, expect_close, explanation_rubric, own_work, prediction_beside_outcome,
                              record_prediction, runtime_table)

lab = start(profile, dataset or default_dataset(profile, "actions"), data_root, seeds, results_dir,
            notebook="05_fewshot_key_region", device=device)
lab.show(runtime_table(lab.name))
fewshot.profile_inputs(profile, backbone_weights)  # full: the weights file, checked before anything loads
data = paper.load(lab, profile, anomalous, anomalous_root)
print(data)

# %% [markdown]
# ## 1. The data and the episodes
#
# Every normal class is a trajectory × an articulation × a speed of a small stick figure; the
# colour, size and start of the actor, the textured background and its drift, and the moving blobs
# are drawn per clip, so only the motion tells a class. Classes are split 64 / 12 / 24 between
# training, validation and test, as Kinetics-100 is; eight anomalous classes (fall, fight, throw
# …) appear only at test time, as UCF-Crime v2 does in the paper. An **episode** draws 5 classes
# of one split, K support clips of each and one query per class; labels are positions in the
# episode. Test episodes are fixed by a seed, so every model answers the same questions.

# %%
preview = data.splits["test"][:: len(data.splits["test"]) // 2][:2] + data.splits["anomalous"][:: len(data.splits["anomalous"]) // 3][:3]
truth = {"actor (true box)": [c.boxes[::2] for c in preview]} if preview[0].boxes is not None else {}
lab.figure(figures.boxes_on_frames([c.frames[::2] for c in preview], truth, [c.label for c in preview]),
           "fig1_clips")

# %%
lab.show(report.write_table(lab.out, "table0_splits", ["split", "classes", "clips"], split_rows(data),
                            "synthactions splits"))

# %% [markdown]
# ## 2. TRX and the key-region branch (Sections 3.2–3.4)
#
# TRX maps every ordered pair and triple of a clip's 8 frames to a key and a value; for each class,
# each query tuple attends over all tuples of the class's support clips, which builds a
# query-specific prototype, and the distance is the squared gap between the query's values and the
# prototype. The paper's branch: the **relation module** gates the global feature maps with a
# temporal gate (Eqs. 1–2) and a motion gate (Eq. 3); the gated map weights an N×N grid of
# anchor points whose weighted mean offset is the **key-region centre** (Eqs. 4–7); the region is
# cropped with bilinear sampling so the gradient reaches the centre (Eq. 8); its features join the
# global ones. The **refined loss** has a spatial part, D_MH, the two sub-spaces' TRX distances
# summed (Eqs. 9–10), which classifies, and a temporal part, D_TR, a bidirectional Hausdorff
# distance between frame features (Eq. 11); each gives a cross-entropy and the two are summed.
# Two extra TRM modules, on the global and on the local features, add their losses (Eq. 12).

# %% [markdown]
# ### Your turn 1 — the Hausdorff distance (Eq. 11) · 2 points · ≈ 15 min
#
# Write `hausdorff(a, b)` for two sets of frame features `(T, D)` (the two sets may have different
# numbers of frames): with the cosine distance between frames, the sum over the frames of `a` of
# the distance to the nearest frame of `b`, plus the same from `b` to `a`, divided by `d`, the
# dimension of the features (Eq. 11). The check uses 2 frames against 4 in three dimensions, worked
# by hand below it (4/3; one direction alone, the largest nearest distance instead of the sum, or a
# division by the number of frames give other numbers), and fails if the function calls the
# package's own `hausdorff_distance`.

# %% tags=["solution"]
def hausdorff(a, b):
    """Bidirectional Hausdorff distance of Eq. 11 with cosine distance between rows.

    Hint: 1 − (a with unit rows) @ (b with unit rows).T; min over each axis, sum both, divide by D.
    """
    distance = 1 - torch.nn.functional.normalize(a, dim=-1) @ torch.nn.functional.normalize(b, dim=-1).T
    return (distance.min(1).values.sum() + distance.min(0).values.sum()) / a.shape[-1]


# %% tags=["self-check"]
with own_work(hausdorff, "vadcore.models.fewshot"):
    # a = the x and y axes; b = 2x, −x, −3y and z. Cosine distances: a's x-frame is 0 from 2x, its
    # y-frame 1 from its nearest (2x, −x or z): 0 + 1 = 1 from a to b; from b to a: 2x 0, −x 1, −3y 1,
    # z 1 = 3. (1 + 3) / d with d = 3.
    a = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    b = torch.tensor([[2.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, -3.0, 0.0], [0.0, 0.0, 1.0]])
    expect_close("hausdorff(a, b) of the hand case ((1 + 3) / 3)", hausdorff(a, b), 4 / 3, atol=1e-5)
    expect_close("hausdorff(b, a) (the distance is symmetric)", hausdorff(b, a), 4 / 3, atol=1e-5)
    expect_close("hausdorff(a, 5·a) (the cosine ignores a frame's length)", hausdorff(a, 5 * a), 0.0, atol=1e-5)
    ### BEGIN HIDDEN TESTS
    expect_close("hausdorff of the x axis against the y axis ((1 + 1) / 3)", hausdorff(a[:1], a[1:]), 2 / 3, atol=1e-5)
    # (1, 1, 0) is 1 − 1/√2 from both x and y: once from it to a, twice from a to it, over d = 3
    expect_close("hausdorff([(1, 1, 0)], [x, y])", hausdorff(torch.tensor([[1.0, 1.0, 0.0]]), a), 1 - 2 ** -0.5,
                 atol=1e-5)
    features = torch.Generator().manual_seed(0)  # leaves the notebook's random state alone
    x, y = torch.randn(8, 5, generator=features), torch.randn(6, 5, generator=features)
    expect_close("hausdorff of random features", hausdorff(x, y), hausdorff_distance(x[None], y[None])[0, 0], atol=1e-5)
    ### END HIDDEN TESTS
print("hausdorff: correct")

# %% [markdown]
# ### Your turn 2 — the key-region centre (Eqs. 5–7) · 2 points · ≈ 20 min
#
# Write `centre(weights, image, crop)` for one weight map `(h, w)` (`h`, `w` ≥ 2) and an image
# `(height, width)`: the anchor points spread the valid centres `[(crop − 1)/2, size − 1 − (crop − 1)/2]`
# of each axis evenly over the map's grid (Eq. 5); the centre is the middle of that range plus the
# softmax(weights)-weighted sum of the anchors' offsets from the middle (Eq. 6), clamped to the
# range (Eq. 7). Return `(x, y)`. The checks, in 48×64 frames with 16-pixel regions (valid x
# 7.5 … 55.5, y 7.5 … 39.5): one hot spot on a 3×4 map sits on its anchor; on a 2×2 map with
# weights 0, ln 3, 0, 0 the softmax gives the top-right anchor ½ and each other ⅙ — weights
# divided by their sum would put the centre on that anchor. The check fails if the function calls
# the package's own `key_region_centres` or its helpers `anchor_points` and `valid_range`.

# %% tags=["solution"]
def centre(weights, image, crop):
    """Weighted mean of the anchor points, clamped.

    Hint: torch.linspace(low, high, n) per axis, torch.meshgrid(..., indexing="ij").
    """
    (h, w), (height, width) = weights.shape, image
    low = torch.tensor([(crop - 1) / 2, (crop - 1) / 2])
    high = torch.tensor([width - 1 - (crop - 1) / 2, height - 1 - (crop - 1) / 2])
    ys, xs = torch.meshgrid(torch.linspace(low[1], high[1], h), torch.linspace(low[0], high[0], w), indexing="ij")
    anchors = torch.stack([xs.flatten(), ys.flatten()], 1)
    middle = (low + high) / 2
    point = middle + torch.softmax(weights.flatten(), 0) @ (anchors - middle)
    return torch.minimum(torch.maximum(point, low), high)


# %% tags=["self-check"]
with own_work(centre, "vadcore.models.key_region"):
    hot = torch.zeros(3, 4)
    hot[2, 1] = 50.0  # one hot spot in row 2, column 1: x = 7.5 + 48 / 3, y = 39.5
    expect_close("centre of a hot spot at row 2, column 1 of a 3×4 map, (x, y)", centre(hot, (48, 64), 16),
                 [23.5, 39.5], atol=1e-3)
    soft = torch.log(torch.tensor([[1.0, 3.0], [1.0, 1.0]]))  # softmax ⅙, ½, ⅙, ⅙; offsets (±24, ±16) from (31.5, 23.5)
    expect_close("centre of the 2×2 map [[0, ln 3], [0, 0]], (x, y) = (31.5 + 24/3, 23.5 − 16/3)",
                 centre(soft, (48, 64), 16), [39.5, 18.1667], atol=1e-3)
    ### BEGIN HIDDEN TESTS
    expect_close("centre of a flat 3×4 map (the middle of the valid range)", centre(torch.zeros(3, 4), (48, 64), 16),
                 [31.5, 23.5], atol=1e-3)
    corner = torch.tensor([[50.0, 0.0], [0.0, 0.0]])
    expect_close("centre of a hot spot in the top-left corner of a 2×2 map", centre(corner, (48, 64), 16), [7.5, 7.5],
                 atol=1e-3)
    weights = torch.randn(3, 4, generator=torch.Generator().manual_seed(0))
    expect_close("centre of a random 3×4 map", centre(weights, (48, 64), 16),
                 key_region_centres(weights[None], (48, 64), 16)[0], atol=1e-4)
    ### END HIDDEN TESTS
print("centre: correct")

# %% [markdown]
# ### Your turn 3 — an episode (Section 4.1) · 2 points · ≈ 15 min
#
# Write `draw_episode(labels, way, shot, queries, rng)` for clips whose classes are `labels` (one
# per clip): draw `way` different classes among those with at least `shot + queries` clips, then
# `shot` support clips and `queries` query clips of each, no clip twice. Return four lists: the
# support clips' indices, their labels, the query clips' indices, their labels — a clip's label
# is its class's *position in the episode* (0 … way − 1), not a global class number. The check
# draws 40 episodes of a toy set and tests their properties; it fails if the function calls the
# package's own `sample_episode` or `fixed_episodes`.

# %% tags=["solution"]
def draw_episode(labels, way, shot, queries, rng):
    """(support, support_labels, query, query_labels) of one way-way shot-shot episode.

    Hint: group clip indices by class, keep those with shot + queries clips, draw with replace=False.

    rng.choice(n, way, replace=False) picks classes; for each, rng.choice(its clips, shot + queries,
    replace=False): the first shot are support.
    """
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    eligible = sorted(c for c, members in by_class.items() if len(members) >= shot + queries)
    support, support_labels, query, query_labels = [], [], [], []
    for position, k in enumerate(rng.choice(len(eligible), way, replace=False)):
        drawn = [int(i) for i in rng.choice(by_class[eligible[k]], shot + queries, replace=False)]
        support += drawn[:shot]
        support_labels += [position] * shot
        query += drawn[shot:]
        query_labels += [position] * queries
    return support, support_labels, query, query_labels


# %% tags=["self-check"]
with own_work(draw_episode, "vadcore.data.episodes"):
    toy = ["walk"] * 5 + ["jump"] * 5 + ["wave"] * 5 + ["fall"] * 2 + ["run"] * 5  # "fall": too few clips for 2 + 1
    rng = np.random.default_rng(0)
    drawn_classes = set()
    for _ in range(40):
        s, s_labels, q, q_labels = draw_episode(toy, 3, 2, 1, rng)
        expect("(support, query) clips of a 3-way 2-shot episode with 1 query per class", (len(s), len(q)) == (6, 3),
               (6, 3), (len(s), len(q)))
        expect("clips of one episode (none twice)", len(set(s) | set(q)) == 9, "9 different clips", f"support {s}, query {q}")
        expect("support labels (positions in the episode)", sorted(s_labels) == [0, 0, 1, 1, 2, 2],
               "each of 0, 1, 2 twice", s_labels)
        expect("query labels (positions in the episode)", sorted(q_labels) == [0, 1, 2], "each of 0, 1, 2 once", q_labels)
        classes = {label: {toy[i] for i, l in zip(s + q, s_labels + q_labels) if l == label} for label in range(3)}
        expect("the classes behind each label", all(len(c) == 1 for c in classes.values())
               and len(set().union(*classes.values())) == 3, "one class per label, three different classes", classes)
        drawn_classes |= set().union(*classes.values())
    expect("classes drawn over 40 episodes (\"fall\" has 2 clips, fewer than shot + queries = 3)",
           drawn_classes == {"walk", "jump", "wave", "run"}, {"walk", "jump", "wave", "run"}, drawn_classes)
    ### BEGIN HIDDEN TESTS
    toy = toy + ["kick"] * 3  # exactly shot + queries clips: eligible
    given, seen, drawn_classes = list(toy), set(), set()
    for _ in range(40):
        s, s_labels, q, q_labels = draw_episode(toy, 3, 2, 1, rng)
        seen |= set(s) | set(q)
        drawn_classes |= {toy[i] for i in s + q}
    expect("classes drawn over 40 episodes (\"kick\" has exactly shot + queries = 3 clips)", "kick" in drawn_classes,
           "kick among them", drawn_classes)
    expect("clips of \"walk\" drawn over 40 episodes (not always its first ones)", seen >= set(range(5)),
           "all five, 0 … 4", sorted(seen & set(range(5))))
    expect("the labels after draw_episode (unchanged)", toy == given, "the list passed in", toy)
    episode = lambda generator: [[int(i) for i in part] for part in draw_episode(toy, 3, 2, 1, generator)]  # noqa: E731
    before = rng.bit_generator.state["state"]["state"]
    episode(rng)
    expect("the state of the generator passed in, after draw_episode (its draws come from rng)",
           rng.bit_generator.state["state"]["state"] != before, "advanced", "unchanged")
    first = episode(np.random.default_rng(7))
    expect("two episodes drawn with generators of the same seed", episode(np.random.default_rng(7)) == first, first,
           "another episode")
    expect("episodes drawn with generators of four other seeds",
           any(episode(np.random.default_rng(seed)) != first for seed in range(8, 12)), "at least one other episode",
           "the same episode every time")
    ### END HIDDEN TESTS
print("draw_episode: correct")

# %% [markdown]
# ## 3. Training
#
# Here the notebook trains every run of its study — or reads it from the run cache, where a
# teacher may have put them (`vadcore runs import`, `docs/teaching.md`): the scores that learn
# nothing, the learning-rate search, the headline runs and the ablations.

# %%
study = lab.study(paper.study(profile, lab.dataset, lab.seeds, device=lab.kind, shots=shots, iterations=iterations, lr=lr,
                              ablations=ablations, ablation_iterations=ablation_iterations,
                              backbone_weights=backbone_weights, anomalous=anomalous))  # trained or read from the cache
plan, results = study.last()
settings, choice, short, headline = (study.value[k] for k in ("settings", "choice", "short", "headline"))

# %% [markdown]
# ### Scores that learn nothing
#
# A class is the mean of its support clips' features, a query takes the nearest class: with the
# clip's mean frame as the feature, and with a frozen, randomly initialised ResNet of the same
# size as ours. Chance is 20 % in a 5-way episode. A model that does not clear both has learnt
# nothing about actions.

# %%
trivial = {shot: baselines.trivial_accuracies(study.value["reference"][shot], fewshot.test_data(data)) for shot in shots}

# %% [markdown]
# ### The learning rate, chosen on the validation classes
#
# Our networks train from scratch on small frames, so the paper's rate (10⁻³, for ImageNet
# weights) has no reason to be right. Short runs of **TRX** try a few rates and keep the one with
# the best accuracy on fixed episodes of the 12 validation classes; both TRX and the key-region
# model then train at it, so the paper's method gets no tuning of its own. No test class is read.

# %%
if choice is not None:
    lab.show(report.write_table(lab.out, "table0_validation", ["tried", "validation accuracy %", ""], trial_rows(choice),
                                f"Learning rate of TRX on the validation classes ({choice.final.config.iterations} steps, "
                                f"{choice.final.config.shot}-shot, {choice.final.config.validation_episodes} episodes)",
                                "Chance: 20 %."))
    lab.show(paper.search_verdict(choice))
print("settings on top of the profile:", report.settings_text(settings))
print("frames", headline.size, "key region", headline.crop, "seeds", lab.seeds)

# %% [markdown]
# ### Training the headline runs
#
# Episodes of the training classes (one episode per step at `cpu`, four at `gpu`; the paper
# accumulates 16), with the profile's optimizer (the paper's SGD at `full`; Adam elsewhere, where SGD
# from scratch stayed at chance). Every few hundred steps the accuracy on fixed episodes of the
# **validation** classes is recorded. The model after the last step is the one tested — the
# validation curve selects nothing. At `full` TRX and ours are trained separately for each K, as in
# the paper; at `cpu` and `gpu` one model per method and seed, trained on 5-shot episodes, is tested
# at 1 and 5 shots (half the training time; a stated deviation).

# %%
runs = {label: result for label, result in results.items() if label[0] in paper.HEADLINE}  # (method, K, seed)
curves = {f"{method}, {shot}-shot training, seed {seed}": (r.curves["val_step"], 100 * r.curves["val_accuracy"])
          for (method, shot, seed), r in runs.items()
          if "val_accuracy" in r.curves and plan[method, shot, seed].shot == shot}
if curves:
    fig = figures.validation_curves(curves, {"chance": 100 / headline.way}, title="Validation classes")
    fig.axes[0].set_ylabel("episode accuracy %")
    lab.figure(fig, "fig2_validation")

# %% [markdown]
# ### Accuracy against training steps — does the verdict depend on where training stops?
#
# The same curves as a table: at each validated step, each method's mean over seeds with the 95 %
# interval between seeds, and the difference paired by seed. The verdict below is read off the
# whole curve, on validation classes only (no test class is read), so it says whether Table 1's
# verdict, taken at the last step, would hold at another schedule.

# %%
learning = paper.validation_curves(plan, results, headline.shot, lab.seeds)
if len(learning) == len(paper.HEADLINE):
    header, rows = paper.curve_rows(learning)
    lab.show(report.write_table(lab.out, "table1_curves", header, rows,
                                f"Validation accuracy % against training steps ({headline.shot}-shot training)",
                                f"{headline.validation_episodes} fixed episodes of the validation classes; mean over seeds "
                                f"{lab.seeds} ± 95 % interval between seeds (none with one seed). Chance: 20 %."))
    lab.show(paper.curve_verdict(learning))

# %% [markdown]
# ## 4. Table 1 — unseen normal classes and anomalous classes
#
# Accuracy over the same fixed test episodes for every row, mean over seeds; the first interval is
# the 95 % one over episodes (1.96·std/√N, as TRX reports it), which treats every seed's episodes
# as samples of one model; "seeds ±" is the 95 % interval of the seeds' means, the spread between
# trained models, usually the larger. The paper's numbers are on other data (Table 1 below,
# quoted): only the *differences* between rows can be compared with ours.

# %%
header, rows = paper.table1_rows(plan, results, trivial, lab.seeds, shots)
lab.show(report.write_table(
    lab.out, "table1_accuracy", header, rows, f"Table 1 on {lab.dataset}: 5-way accuracy %",
    f"Mean ± 95 % interval over {headline.test_episodes} fixed test episodes × seeds {lab.seeds}, one query per class; "
    f"{headline.size[0]}×{headline.size[1]} frames, ResNet-{headline.depth} width {headline.width}, "
    f"{headline.iterations} steps. Reference rows learn nothing (chance: 20 %)."))
lab.show(report.comparison_table(lab.out, "table1_paper", quoted_cells(paper.TABLE1, paper.SETTINGS),
                                 "Table 1 as the paper prints it (quoted; not our data)"))

# %% [markdown]
# ### What we found
#
# The paper's claim, on each of our four settings: the key region beats TRX. With several seeds the
# verdict pairs the two rows seed by seed (the interval between trained models); with one seed it
# can only pair them over the same episodes.

# %%
for text in paper.table1_verdicts(plan, results, trivial, lab.seeds, shots):
    lab.show(text)

# %% [markdown]
# ## 5. Tables 2 and 3 — modules and tricks (one seed, 5-shot)
#
# Table 2 adds the paper's modules to TRX one at a time; Table 3 starts from TRX + key region and
# adds the training tricks one at a time (its first row trains the branch with nothing to steady
# it). Rows that are the same model share their run. The last row is chance: a verdict between two
# rows at chance says nothing, and each verdict names the rows above it. At `cpu` the rows train for the validation
# runs' shorter schedule (TRX's row is then its validation run at the chosen rate).

# %%
ablation_shot = shots[-1]
seed = lab.seeds[0]
if ablations:
    for stem, (name, table, rows_config) in paper.ABLATION_TABLES.items():
        measured = paper.ablation_accuracies(plan, results, name, rows_config, ablation_shot)
        header, lines = paper.ablation_rows(table, measured, ablation_shot, headline.way)
        lab.show(report.write_table(lab.out, stem, header, lines, f"{table.name}. {table.caption}, {ablation_shot}-shot",
                                    f"Ours: seed {seed}, {short} steps, {headline.test_episodes} fixed episodes, mean ± 95 % interval; "
                                    f"the paper's columns are other datasets."))
        for text in paper.ablation_verdicts(measured, ablation_shot, headline.way):
            lab.show(text)

# %% [markdown]
# ## 6. Where the key regions fall (Figure 6) — and whether they hold the actor
#
# Key regions (red) of the headline model on test clips, with the actor's true box (green). Below,
# the share of the actor's box inside the region, averaged over frames and clips, against a region
# placed at random in the valid range — what a branch that learnt nothing would give.

# %%
ours = plan[paper.OURS, shots[-1], seed]  # the run whose network is read below
shown = fewshot.test_data(data)
regions = {split: lab.read_off(ours, diagnostics.key_regions, headline, TRAINED, clips) for split, clips in shown.items()}
clips = shown["anomalous"][:: max(1, len(shown["anomalous"]) // 5)][:5]
found = lab.read_off(ours, diagnostics.key_regions, headline, TRAINED, clips)
pictures = [fewshot.input_frames(headline, c) for c in clips]  # what the network sees: resized, centre crop
lab.figure(figures.boxes_on_frames(pictures, {"key region": found["regions"], "actor": found["actors"]},
                                   [c.label for c in clips]), "fig6_key_regions")
coverage = paper.coverage_rows(regions, headline.crop, headline.size, seed=0)  # the random regions: vadcore.baselines
lab.show(report.write_table(lab.out, "table4_actor_coverage", ["test clips", "key region (%)", "random region (%)"], coverage,
                            "Share of the actor's box inside the key region",
                            f"Mean over every sampled frame of every clip; regions of {headline.crop}×{headline.crop} "
                            f"pixels in {headline.size[0]}×{headline.size[1]} frames."))

# %% [markdown]
# ## 7. Feature maps before and after the relation module (Figure 7)

# %%
maps = lab.read_off(ours, diagnostics.relation_maps, headline, TRAINED, clips[0])
lab.figure(figures.relation_maps(pictures[0], maps["before"], maps["after"], step=2), "fig7_relation_maps")

# %% [markdown]
# ### Your turn 4 — predict, run, explain: three queries per class · 1 point · ≈ 10 min
#
# Every test episode so far asks one query clip per class, as TRX tests. The next cell tests the
# same trained key-region model (Figure 6's, at the largest K, unseen normal classes) on as many fixed
# episodes with **three queries per class**: nothing is trained, only the episodes change.
# **Before you run it**, write down in `queries_prediction()` whether the mean accuracy will come
# out higher, lower or about the same (within the 95 % interval of the difference between the two
# sets of episodes), and why. The check shows your prediction beside the outcome; a wrong
# prediction passes — explain it in the discussion.

# %% tags=["solution"]
def queries_prediction():
    """``(choice, reason)``: ``choice`` is "higher", "lower" or "about the same"; ``reason`` one sentence.

    Hint: does a query's answer depend on the other queries of its episode?
    """
    return ("about the same", "each query is compared with the same support clips on its own, so more queries "
                              "average more answers of the same classifier: the interval narrows, the mean stays")


# %%
prediction = record_prediction(queries_prediction)  # taken now, before the experiment below runs, and kept

# %%
one_query = paper.seed_accuracies(plan, results, paper.OURS, shots[-1], "test", [seed])[0]  # the stored scores
three_queries = 100 * lab.read_off(ours, fewshot.episode_accuracies, replace(headline, test_queries=3), TRAINED,
                                   shown["test"], headline.test_episodes, headline.episode_seed, shots[-1])
(before, before_half), (after, after_half) = (metrics.mean_confidence_interval(a) for a in (one_query, three_queries))
noise = float(np.hypot(before_half, after_half))  # 95 % half-width of the difference of two independent means

# %% tags=["self-check"]
lab.show(prediction_beside_outcome(prediction, before, after, f"key-region model, unseen normal, {shots[-1]}-shot accuracy (%)",
                                   "three queries per class", tolerance=round(noise, 1)))

# %% [markdown]
# **Your explanation · 2 points, graded by your teacher.** In one paragraph, explain the outcome
# above with the numbers of this run: which mechanism moved the number, and — if your prediction
# missed — which assumption failed. Write it in the next cell.

# %% [markdown] tags=["explanation"]
# *Write your explanation here.*

# %% [markdown]
# ## Questions for discussion

# %%
gain = paper.key_region_gain(plan, results, shots[-1], lab.seeds)
ours_episodes, trx_episodes = (paper.headline_accuracies(plan, results, m, shots[-1], "test", lab.seeds) for m in (paper.OURS, "TRX"))
paired = report.difference_interval(ours_episodes, trx_episodes)[1]
unpaired = float(np.hypot(*(metrics.mean_confidence_interval(a)[1] for a in (ours_episodes, trx_episodes))))
covered = {split: 100 * np.nanmean(found["covered"]) for split, found in regions.items()}
at_random = {split: float(row[2]) for split, row in zip(regions, coverage)}  # Table 4's random column
chance_level = paper.chance(headline.way)
shrink = before_half / after_half
if ablations:
    tricks = paper.ablation_accuracies(plan, results, "tricks", paper.TRICK_ROWS, ablation_shot)
    no_trick, stopped = (tricks[row]["test"] for row in ("no trick", "+ stop-gradient"))


if gain["test"] > 0 and gain["anomalous"] > 0:
    why = "Why might a crop around the actor help one kind of class more than the other?"
elif gain["test"] <= 0 and gain["anomalous"] <= 0:
    why = "Why might a crop around the actor cost accuracy here, and on which kind of class more?"
else:
    helped, hurt = ("unseen normal", "anomalous") if gain["test"] > 0 else ("anomalous", "unseen normal")
    why = f"Why might a crop around the actor help the {helped} classes but not the {hurt} ones?"
stop_numbers = (f" ({np.mean(no_trick):.1f} % on unseen normal classes; with stop-gradient {np.mean(stopped):.1f} %)"
                if ablations else "")
lab.show("\n".join([
    f"1. At {shots[-1]}-shot the key region changes the accuracy by {gain['test']:+.1f} points on unseen normal "
    f"classes and by {gain['anomalous']:+.1f} on anomalous ones. {why}",
    f"2. Table 3's first row trains the branch with no stop-gradient{stop_numbers}. What does the local loss do to "
    "the global backbone then, and why could that hurt the global features?",
    "3. The Hausdorff term ignores the order of frames. Which synthactions classes can it not tell apart — and which "
    "part of the model still can?",
    "4. The test episodes are fixed by a seed. What would change in the verdicts if each method drew its own?",
    f"5. Three queries per class instead of one moved the key-region model's accuracy from {before:.1f} % "
    f"(± {before_half:.1f}) to {after:.1f} % (± {after_half:.1f}). Is that change beyond the episodes' noise "
    f"(± {noise:.1f})? The interval shrank by a factor {shrink:.2f}: what factor would you expect if every query's "
    "answer were independent of the others, and what could make the measured factor differ?",
]))

# %% tags=["answer-key"]
placed = ", ".join(f"{paper.SPLITS[split]} {covered[split]:.0f} % (random {at_random[split]:.0f} %)"
                   for split in regions)
both_at_chance = paper.at_chance(ours_episodes, headline.way) and paper.at_chance(trx_episodes, headline.way)
answer1 = (f"Both rows are at chance here (ours {np.mean(ours_episodes):.1f} %, TRX {np.mean(trx_episodes):.1f} %, "
           f"chance {chance_level:.0f} %): they have learnt too little for the difference to mean anything; what "
           "follows is what a crop does once they learn. " if both_at_chance else "")
if gain["test"] > 0 and gain["anomalous"] > 0:
    more = round(gain["anomalous"] - gain["test"], 1)
    answer1 += ("A crop that holds the actor drops the drifting background and the distractor blobs, so its features "
                "describe the motion. Anomalous classes with a second actor or an object leaving the actor (fight, "
                "chase, throw) reach outside one crop: here they gain "
                + ("more." if more > 0 else "less." if more < 0 else "as much as the normal ones."))
elif gain["test"] <= 0 and gain["anomalous"] <= 0:
    answer1 += ("The branch adds a second ResNet trained from scratch on small crops, and D_MH sums the two sub-spaces' "
                "distances: after a short training its noisier features reach the classification. A crop also drops "
                "context, and the anomalous classes with a second actor or a thrown object (fight, chase, throw) lie "
                f"partly outside it; here the {'anomalous' if gain['anomalous'] < gain['test'] else 'unseen normal'} "
                "classes lose more.")
else:
    answer1 += (f"The crop helps where one actor carries the class ({helped}) and hurts where it does not: anomalous "
                "classes with a second actor or a thrown object (fight, chase, throw) lie partly outside one crop, "
                "normal classes are one actor but differ in small motions a 16–36-pixel crop may cut off.")
answer1 += (f" The regions hold the actor's box {placed}: "
            + ("more than a random region, so the placement is learnt; what the crop's features add is the question."
               if all(covered[split] > at_random[split] for split in regions) else
               "not more than a random region everywhere, so the branch has not learnt where to look."))
if len(lab.seeds) == 1:
    answer1 += (f" With one seed the unseen-normal difference is ± {paired:.1f} points over these episodes and says "
                "nothing about another trained model.")
if not ablations:
    answer2 = "(Table 3 was not trained: `ablations` is off.) "
elif paper.at_chance(no_trick, headline.way) and paper.at_chance(stopped, headline.way):
    answer2 = (f"Here {np.mean(no_trick):.1f} % without and {np.mean(stopped):.1f} % with stop-gradient: both at "
               f"chance ({chance_level:.0f} %) at this schedule, so the difference says nothing. ")
else:
    difference, half = report.difference_interval(stopped, no_trick)
    answer2 = (f"Here {np.mean(no_trick):.1f} % without and {np.mean(stopped):.1f} % with stop-gradient "
               f"({difference:+.1f} ± {half:.1f}, paired over episodes): "
               + ("stop-gradient helps, as the paper finds. " if difference > half else
                  "stop-gradient hurts at this schedule, unlike in the paper. " if difference < -half else
                  "within the spread over episodes, so this schedule cannot tell whether it helps. "))
answer2 += ("Without it the local loss reaches the global backbone through the crop's bilinear sampling, the centres, "
            "the softmax weights and the relation module: the shared feature maps are pushed to place crops well "
            "rather than to describe the clip, and the two losses pull the same weights two ways.")
answer4 = (f"Fixed episodes pair the rows: the difference ours − TRX at {shots[-1]}-shot on unseen normal classes is "
           f"{gain['test']:+.1f} ± {paired:.1f} points paired over the same episodes, ± {unpaired:.1f} if each method "
           "drew its own — episode luck would enter every difference, and verdicts near the edge of their interval "
           "could flip. "
           + ("Pairing narrows the interval because the two models find the same episodes hard. "
              if paired < 0.9 * unpaired else
              "Here pairing narrows it little: the two models' successes hardly go together episode by episode. ")
           + ("With several seeds the verdicts pair by seed, which fixed episodes keep fair as well."
              if len(lab.seeds) > 1 else "With one seed the verdicts rest on exactly this pairing."))
answer5 = (f"{before:.1f} % → {after:.1f} % ({after - before:+.1f} points, noise ± {noise:.1f}): "
           + ("within the noise — the classifier answers each query alone against the same support clips, so more "
              "queries only average more answers. " if abs(after - before) <= noise else
              "beyond the noise, though each query is still answered alone: the three-query episodes are other draws "
              "of classes and support clips, and a 95 % interval is missed one time in twenty — rerun with another "
              "`episode_seed` before believing it. ")
           + f"Independent answers would shrink the interval by √3 ≈ 1.73; here {shrink:.2f}: "
           + ("less, because the queries of one episode share its classes and support clips, so their errors go "
              "together." if shrink < 1.55 else
              "close to √3, so the answers behave almost as independent ones." if shrink <= 1.9 else
              f"more, because each interval is itself estimated from {headline.test_episodes} episodes, and with one "
              f"query per class an episode's accuracy takes only {headline.way + 1} values: the ratio is noisy."))
lab.show("\n".join([
    "**Answer key** (the teacher's copy only; student copies leave this cell out)",
    f"1. {answer1}",
    f"2. {answer2}",
    "3. A set of frames keeps which poses and positions occur, not their order. No normal class is another's time "
    "reversal (there is no “left” or “recede”), but the periodic articulations visit the same poses at both speeds "
    "(still-wave-slow and still-wave-fast, say, sweep the arm through the same angles in another rhythm); D_TR cannot separate those. "
    "D_MH, TRX's ordered pairs and triples of frames, sees the order — and it is the part that classifies.",
    f"4. {answer4}",
    f"5. {answer5}",
    explanation_rubric(5),
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in paper.DEVIATIONS))
finish(lab, timings={f"{m}, {k}-shot, seed {s}": r.timings for (m, k, s), r in runs.items()})
