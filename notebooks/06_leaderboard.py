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
# # 06 — The leaderboard: every method on the same footing
#
# Every paper of notebooks 01–04 compares its method with numbers copied from other papers —
# other frame sizes, schedules, test frames and normalisations. This notebook puts the six
# frame-scoring methods of those notebooks side by side on one footing: the tutorial's ConvLSTM
# autoencoder and Hasan et al.'s Conv-AE (notebook 01), AnoPred and ADL (02), SEUNet (03) and the
# spatio-temporal dissociation model (04), on **the same data at the same frame size, the same
# test frames, the same protocol** (notebook 00) **and the same seeds**, next to the scores that
# learn nothing (notebook 00).
#
# It trains nothing of its own. Its runs are the headline runs of notebooks 01–04 with the
# settings those notebooks chose — the same configs, hence the same run keys — read from the run
# cache (`vadcore.papers.leaderboard`: it walks their studies and keeps their headline runs). Run
# notebooks 01–04 first at the same profile (or `vadcore train 01 02 03 04 --profile …`);
# otherwise this notebook trains exactly their runs.
#
# Three things no single paper shows: the whole set of methods against the scores that learn
# nothing, at one size; accuracy against the compute it took; and how much the order of the
# methods depends on the metric chosen to rank them.
#
# **In this lab you will**
# 1. put methods from four papers on one footing — data, frame size, test frames, seeds — and see
#    why each of these matters;
# 2. weigh accuracy against training compute and inference speed;
# 3. see how the ranking changes with the metric (micro, macro, global AUC, EER, ΔS), on a
#    constructed case and on the real rows;
# 4. decide from the numbers, with their seed noise, whether any learned method beats the scores
#    that learn nothing.
#
# **Before:** notebooks 00 (protocol, trivial scores) and 01–04 (the methods; their runs are read
# from the run cache). The measured time of this notebook per profile (from its last recorded
# run):

# %% tags=["parameters"]
profile = "smoke"  # smoke | cpu | gpu | full
device = "auto"  # auto (the GPU if there is one) | cpu | cuda | cuda:N
dataset = None  # None: synthped for smoke, ucsd_ped2 for cpu, gpu and full
data_root = None  # folder of a real dataset; None: data/<name>
results_dir = None  # None: results/<profile>/06_leaderboard
seeds = None  # None: the profile's seeds (smoke: [0]; cpu, gpu, full: [0, 1, 2])

# %%
import numpy as np

from vadcore import baselines, figures, metrics, report
from vadcore.notebook import finish, start
from vadcore.papers import DATASET_TITLES
from vadcore.papers import leaderboard as board
from vadcore.teaching import runtime_table

lab = start(profile, dataset, data_root, seeds, results_dir, device=device)
lab.show(runtime_table(lab.name))
study = lab.study(board.study(profile, lab.dataset, lab.seeds))  # notebooks 01–04's headline runs, from the cache
plan, results = study.last()  # by (method, seed)
predictor, size = study.value["predictor"], study.value["size"]
data = lab.data_for(predictor)  # grey frames at the common size: the labels and the trivial scores
where = f"{DATASET_TITLES.get(lab.dataset, lab.dataset)}, {size[0]}×{size[1]}"
print(data, "working size", size, "seeds", lab.seeds)

# %% [markdown]
# ## 1. The contestants
#
# Two autoencoders that reconstruct a window of frames, three frame predictors (one U-Net trained
# three ways) and a predictor that splits appearance from motion. Each row is its notebook's
# headline config at this profile: the frame size is the profile's for every family (the study
# checks it), the schedules and widths are each family's own.

# %%
lab.show(board.roster(lab.out, "table1_contestants", plan, lab.data_for, f"Table 1. The contestants — {where}",
                      footnote=f"Each method's headline config as its notebook trains it at `{profile}`; the "
                               f"prediction family's settings chosen by notebook 02's validation search: "
                               f"{report.settings_text(study.value['settings'])}. Parameters: the network that is "
                               f"scored (AnoPred's generator without its discriminator)."))

# %% [markdown]
# ## 2. The same frames
#
# A predictor from four frames has no score for the first four frames of a clip; the
# dissociation model scores the last frame of five-frame windows, so none for the first four
# either; an autoencoder scores every frame; frame difference all but the first. The first
# frames of a clip are not like the others (a clip starts as its camera starts recording), and
# an AUC over more frames is another number. Every row below is evaluated on the frames all of
# them score, through its family's own evaluation.

# %%
first = board.first_common([r.scores for r in results.values()], data.test)
gaps = {row: board.unscored(next(iter(results[row, lab.seeds[0]].scores.values())), data.test) for row in board.METHODS}
frames, anomalous = board.frames_scored(data.test, first)
print("frames without a score at the start of each clip:", ", ".join(f"{row} {gap}" for row, gap in gaps.items()))
print(f"common frames: {first + 1}… of every clip — {frames} test frames, {anomalous} anomalous ({anomalous / frames:.0%})")

# %% [markdown]
# ## 3. The leaderboard
#
# Every row from best to worst micro AUC, each column as mean ± std over seeds: the protocol's
# metrics (`vadcore.metrics.frame_metrics`), then the training time and the inference speed each
# run recorded when it was trained. The scores that learn nothing — frame difference, the two
# trivial predictors scored as a learned predictor is, random scores — are computed here, at the
# same size and on the same frames.

# %%
learned = board.learned_rows(plan, results, lab.data_for, first)
trivial = board.trivial_rows(predictor, data, lab.seeds, first)
search_runs, search_minutes = board.search_minutes(study)
lab.show(board.table(
    lab.out, "table2_leaderboard", learned, trivial, f"Table 2. The leaderboard — {where}",
    footnote=f"Mean ± std over seeds {lab.seeds}; frames {first + 1}… of every test clip ({frames} frames, {anomalous} "
             f"anomalous). Micro AUC: per-clip min–max, all frames pooled (the headline); macro AUC: mean over clips "
             f"with both classes; global AUC: one min–max over all clips; EER at the micro ROC; ΔS: mean normalised "
             f"regularity of normal minus anomalous frames. Training minutes and frames/s: as each run recorded them "
             f"when it was trained. Not counted: the validation searches of notebooks 02 and 04 ({search_runs} runs, "
             f"{search_minutes:.1f} training minutes; a search's chosen trial is the first seed's run, counted in its "
             f"row) that chose AnoPred's, ADL's and SEUNet's settings and the dissociation model's clusters. Trivial rows: "
             f"notebook 00's scores, at {size[0]}×{size[1]} on the same frames; random over the same seeds."))
found = board.beats_trivial(learned, trivial)
lab.show(board.verdict(found, where=f"{where}, {len(lab.seeds)} seed{'s' if len(lab.seeds) > 1 else ''}"))

# %% [markdown]
# ### Your turn 1 — beyond seed noise
#
# The verdict asks whether a difference is larger than its 95 % interval over seeds. Write
# `paired_interval(better, worse)`: for two rows measured with the same seeds, the mean of the
# per-seed differences `better − worse` and the half-width of its 95 % t interval,
# $t_{0.975,\,n-1} \cdot s / \sqrt{n}$ with $s$ the sample standard deviation of the differences.
# The check uses a case by hand and `report.difference_interval`, which the verdict uses.

# %% tags=["solution"]
def paired_interval(better, worse):
    """(mean of better − worse over seeds, half-width of its 95 % t interval), for n ≥ 2 paired seeds.

    Hint: scipy.stats.t.ppf(0.975, n - 1) times the std (ddof=1) of the differences over √n.
    """
    from scipy.stats import t

    differences = np.asarray(better, float) - np.asarray(worse, float)
    n = len(differences)
    return differences.mean(), t.ppf(0.975, n - 1) * differences.std(ddof=1) / np.sqrt(n)


# %% tags=["self-check"]
difference, half = paired_interval([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])  # differences 1, 2, 3: mean 2, std 1
assert abs(difference - 2) < 1e-12 and abs(half - 4.302652729749464 / np.sqrt(3)) < 1e-9
a, b = [71.2, 69.8, 70.5, 72.0], [68.9, 69.5, 67.7, 70.2]
assert np.allclose(paired_interval(a, b), report.difference_interval(a, b))
print("paired_interval: correct")

# %% [markdown]
# ## 4. Accuracy against training compute
#
# Each method's micro AUC against the minutes it trained (log scale), seeds as dots, the mean
# with one standard deviation on both axes; the scores that learn nothing cost no training and
# are the grey lines (random scores: chance).

# %%
points = {name: (values["train_min"], [100 * v for v in values["micro_auc"]]) for name, values in learned.items()}
lab.figure(figures.accuracy_against_compute(
    points, {name: 100 * board.mean(values) for name, values in trivial.items()},
    title=f"Micro AUC against training time — {where}"), "fig1_auc_against_compute")
fastest = max(learned, key=lambda name: board.mean(learned[name], "frames_per_s"))
cheapest = min(learned, key=lambda name: board.mean(learned[name], "train_min"))
print(f"cheapest to train: {cheapest} ({board.mean(learned[cheapest], 'train_min'):.2f} min); fastest to score: "
      f"{fastest} ({board.mean(learned[fastest], 'frames_per_s'):.0f} frames/s)")

# %% [markdown]
# ## 5. The ranking depends on the metric
#
# The protocol has several ways to turn per-frame scores into one number (notebook 00):
#
# - **micro AUC**: each clip's scores min–max normalised on their own, then all frames pooled —
#   frames of different clips are compared after normalisation;
# - **macro AUC**: one AUC per clip, averaged — frames of different clips are never compared
#   (clips with a single class are skipped);
# - **global AUC**: one min–max over all clips — raw scores of different clips compared as they
#   are;
# - **EER** (lower is better) and **ΔS**, the gap between the mean normalised regularity of
#   normal and anomalous frames.
#
# They need not agree. A constructed case of two clips, the second mostly anomalous (as many Ped2
# clips are): *sharp* separates each clip perfectly, but after per-clip min–max its normal frames
# of the first clip score above the weaker anomalies of the second; *steady* misorders one frame
# of the second clip.

# %%
print("labels:", board.FLIP_LABELS)
for name, scores in board.FLIP_SCORES.items():
    print(f"{name:7s} scores:", scores)
lab.show(board.rank_table(lab.out, "table4_constructed_case", board.flip_case(),
                          "Table 4. A constructed case: the rank of two methods under each metric"))
lab.show(board.rank_moves(board.flip_case()))

# %% [markdown]
# ### Your turn 2 — macro AUC
#
# Write `macro_auc(scores, labels)`: the mean over clips of each clip's ROC AUC (anomaly scores,
# higher = more anomalous), skipping clips whose labels hold a single class. The check uses the
# constructed case (sharp 1, steady 5/6) and frame difference on the real test clips, against the
# leaderboard's macro AUC.

# %% tags=["solution"]
def macro_auc(scores, labels):
    """Mean of per-clip ROC AUCs; clips with one class only are skipped.

    Hint: sklearn.metrics.roc_auc_score per clip, where the labels hold both 0 and 1.
    """
    from sklearn.metrics import roc_auc_score

    aucs = [roc_auc_score(np.asarray(l), np.asarray(s)) for s, l in zip(scores, labels) if 0 < np.mean(l) < 1]
    return float(np.mean(aucs))


# %% tags=["self-check"]
flip_labels = [np.array(l) for l in board.FLIP_LABELS]
assert abs(macro_auc(board.FLIP_SCORES["sharp"], flip_labels) - 1.0) < 1e-12
assert abs(macro_auc(board.FLIP_SCORES["steady"], flip_labels) - 5 / 6) < 1e-12
motion = board.trim(baselines.frame_difference_scores(data.test), data.test, first)
assert abs(macro_auc(motion, metrics.drop_first([v.labels for v in data.test], first))
           - trivial["frame difference"]["macro_auc"][0]) < 1e-9
print("macro_auc: correct")

# %% [markdown]
# Now every row of the leaderboard, ranked by each metric (1 = best; ties share the better
# rank), with Kendall's τ between each ranking and the micro AUC's (1: the same order).

# %%
rows = {**learned, **trivial}
lab.show(board.rank_table(lab.out, "table3_ranking", rows, f"Table 3. Rank of every row under each metric — {where}",
                          footnote=f"Ranks of the means over seeds {lab.seeds}, frames {first + 1}… of every clip; "
                                   f"spread: worst rank − best rank of the row."))
lab.show(board.rank_moves(rows))

# %% [markdown]
# ### Your turn 3 — ranks with ties
#
# Write `competition_ranks(values, higher_is_better=True)`: rank 1 for the best value; equal
# values share the better rank and the next rank is skipped ("1, 1, 3"). The check uses a case by
# hand and the package's ranks of every column of Table 3.

# %% tags=["solution"]
def competition_ranks(values, higher_is_better=True):
    """Ranks from 1 (best); ties share the smallest rank of their group: [0.9, 0.7, 0.9] → [1, 3, 1].

    Hint: a value's rank is 1 + the number of values strictly better than it.
    """
    values = np.asarray(values, float)
    better = values[None, :] > values[:, None] if higher_is_better else values[None, :] < values[:, None]
    return [int(r) for r in 1 + better.sum(axis=1)]


# %% tags=["self-check"]
assert competition_ranks([0.9, 0.7, 0.9, 0.5]) == [1, 3, 1, 4]
assert competition_ranks([0.2, 0.1, 0.2], higher_is_better=False) == [2, 1, 2]
ranked = board.ranks(rows)
for key in board.RANKED:
    assert competition_ranks([board.mean(rows[n], key) for n in rows], key != "eer") == [ranked[n][key] for n in rows]
print("competition_ranks: correct")

# %% [markdown]
# ## Questions for discussion

# %%
best = board.order(learned)[0]
strongest, verdict_rows = found["reference"], found["rows"]
costly = max(learned, key=lambda name: board.mean(learned[name], "train_min"))
ranked = board.ranks(rows)
mover = max(rows, key=lambda name: max(ranked[name].values()) - min(ranked[name].values()))
lab.show("\n".join([
    f"1. The best learned method here, {best}, reaches {100 * board.mean(learned[best]):.1f} % micro AUC; "
    f"{strongest}, which learns nothing, reaches {found['value']:.1f} %. Each paper of notebooks 01–04 reports its "
    f"method above the others it quotes. Which of the differences between their setting and this one — size, "
    f"schedule, test frames, seeds — would you expect to matter most?",
    f"2. {mover} is ranked from {min(ranked[mover].values())} to {max(ranked[mover].values())} depending on the metric. "
    f"Per-clip min–max needs a clip's lowest and highest score before any frame is judged. Which metric fits a camera "
    f"that must raise an alarm as frames arrive, and which rows of Table 3 would you then trust?",
    f"3. {costly} trained for {board.mean(learned[costly], 'train_min'):.1f} min and reaches "
    f"{100 * board.mean(learned[costly]):.1f} %; {cheapest} trained for {board.mean(learned[cheapest], 'train_min'):.1f} "
    f"min and reaches {100 * board.mean(learned[cheapest]):.1f} %. What would a fair comparison at equal compute look "
    f"like, and who should pay for the validation search ({search_minutes:.1f} min here)?",
    f"4. With {len(lab.seeds)} seed{'s' if len(lab.seeds) > 1 else ''} per method, how large must a gap between two "
    f"rows be before you believe it? Would ranking by the lower end of each row's interval change Table 2?",
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in board.DEVIATIONS))
finish(lab, first_scored_frame=first + 1, timings={f"{row} seed {s}": r.timings for (row, s), r in results.items()})
