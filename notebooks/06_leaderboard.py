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
#    that learn nothing;
# 5. predict what leaving out the clips with a single class does to the micro AUC, then measure it.
#
# **Before:** notebooks 00 (protocol, trivial scores) and 01–04 (the methods; their runs are read
# from the run cache). Classroom time: about 45 min for the 4 exercises (15 + 10 + 10 + 10), 7 points
# and 2 for an explanation your teacher grades. The measured time of this notebook per profile (from its last recorded run):

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
from vadcore.teaching import (expect_close, explanation_rubric, own_work, prediction_beside_outcome, record_prediction,
                              runtime_table)

lab = start(profile, dataset, data_root, seeds, results_dir, notebook="06_leaderboard", device=device)
lab.show(runtime_table(lab.name))
study = lab.study(board.study(profile, lab.dataset, lab.seeds, device=lab.kind))  # notebooks 01–04's headline runs, from the cache
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
# ### Your turn 1 — beyond seed noise · 2 points · ≈ 15 min
#
# The verdict asks whether a difference is larger than its 95 % interval over seeds. Write
# `paired_interval(better, worse)`: for two rows measured with the same seeds, the mean of the
# per-seed differences `better − worse` and the half-width of its 95 % t interval,
# $t_{0.975,\,n-1} \cdot s / \sqrt{n}$ with $s$ the sample standard deviation of the differences.
# The checks: differences 1, 2, 3 (mean 2, $s = 1$, $t_{0.975,2} = 4.3027$), and four seeds whose
# differences are 2, 1, 3, 2 (mean 2, $s = \sqrt{2/3}$, $t_{0.975,3} = 3.1824$: half-width 1.2992;
# an interval of the two rows' means that ignores the pairing gives 2.2337, 1.96 instead of $t$
# gives 0.8, the standard deviation with $n$ instead of $n-1$ gives 1.1252). The check fails if the
# function calls the package's own `report.difference_interval` or `report.mean_interval`.

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
with own_work(paired_interval, "vadcore.report", "vadcore.metrics", "vadcore.papers.leaderboard"):
    expect_close("paired_interval([1, 2, 3], [0, 0, 0]): (mean, 4.3027 / √3)", paired_interval([1.0, 2.0, 3.0], [0.0, 0.0, 0.0]),
                 [2.0, 2.48414], atol=1e-4)
    expect_close("paired_interval of four seeds with differences 2, 1, 3, 2: (mean, 3.1824 · √(2/3) / 2)",
                 paired_interval([72.0, 70.0, 71.0, 73.0], [70.0, 69.0, 68.0, 71.0]), [2.0, 1.29923], atol=1e-4)
    ### BEGIN HIDDEN TESTS
    given = np.array([3.0, 5.0, 4.0])  # a float array: an answer that changes its input in place changes this one
    expect_close("paired_interval([3, 5, 4], [1, 2, 2]): (7/3, 4.3027 · √(1/3) / √3)",
                 paired_interval(given, np.array([1.0, 2.0, 2.0])), [7 / 3, 1.434218], atol=1e-4)
    expect_close("the better seeds after paired_interval (unchanged)", given, [3.0, 5.0, 4.0])
    a, b = [71.2, 69.8, 70.5, 72.0], [68.9, 69.5, 67.7, 70.2]
    expect_close("paired_interval of four other seeds", paired_interval(a, b), report.difference_interval(a, b), atol=1e-9)
    ### END HIDDEN TESTS
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
# ### Your turn 2 — macro AUC · 2 points · ≈ 10 min
#
# Write `macro_auc(scores, labels)`: the mean over clips of each clip's ROC AUC (anomaly scores,
# higher = more anomalous; a tie between a normal and an anomalous frame counts one half), skipping
# clips whose labels hold a single class. The checks: the constructed case above (sharp 1, steady
# 5/6; the micro AUC would give 0.781 for steady), and three clips by hand — AUC 1 over four frames,
# 3/4 over three frames with a tie (1/2 if ties count as misses), one clip of normal frames only:
# macro (1 + 3/4)/2 = 0.875 (weighting clips by their frames gives 0.893). The check fails if the
# function calls `vadcore.metrics` or the leaderboard's own evaluation.

# %% tags=["solution"]
def macro_auc(scores, labels):
    """Mean of per-clip ROC AUCs; clips with one class only are skipped.

    Hint: sklearn.metrics.roc_auc_score per clip, where the labels hold both 0 and 1.
    """
    from sklearn.metrics import roc_auc_score

    aucs = [roc_auc_score(np.asarray(l), np.asarray(s)) for s, l in zip(scores, labels) if 0 < np.mean(l) < 1]
    return float(np.mean(aucs))


# %% tags=["self-check"]
with own_work(macro_auc, "vadcore.metrics", "vadcore.papers.leaderboard"):
    flip_labels = [np.array(l) for l in board.FLIP_LABELS]
    expect_close("macro_auc of the constructed case, sharp", macro_auc(board.FLIP_SCORES["sharp"], flip_labels), 1.0)
    expect_close("macro_auc of the constructed case, steady", macro_auc(board.FLIP_SCORES["steady"], flip_labels), 5 / 6)
    hand_scores = [np.array([0.1, 0.4, 0.5, 0.8]), np.array([1.0, 2.0, 2.0]), np.array([5.0, 5.0])]
    hand_labels = [np.array([0, 0, 1, 1]), np.array([0, 1, 0]), np.array([0, 0])]
    expect_close("macro_auc of the three hand-made clips ((1 + 3/4) / 2)", macro_auc(hand_scores, hand_labels), 0.875)
    ### BEGIN HIDDEN TESTS
    expect_close("the hand-made clips' scores after macro_auc (unchanged)", np.concatenate(hand_scores),
                 [0.1, 0.4, 0.5, 0.8, 1.0, 2.0, 2.0, 5.0, 5.0])
    motion = board.trim(baselines.frame_difference_scores(data.test), data.test, first)
    expect_close("macro_auc of frame difference", macro_auc(motion, metrics.drop_first([v.labels for v in data.test], first)),
                 trivial["frame difference"]["macro_auc"][0], atol=1e-9)
    ### END HIDDEN TESTS
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
# ### Your turn 3 — ranks with ties · 2 points · ≈ 10 min
#
# Write `competition_ranks(values, higher_is_better=True)`: rank 1 for the best value; equal
# values share the better rank and the next rank is skipped ("1, 1, 3"). The checks, by hand:
# [0.9, 0.7, 0.9, 0.5] ranks 1, 3, 1, 4 (dense ranks would give 1, 2, 1, 3, average ranks 1.5,
# 3, 1.5, 4) and, lower being better, [0.2, 0.1, 0.2] ranks 2, 1, 2. The check fails if the function
# calls the leaderboard's own `ranks` or SciPy's `rankdata`.

# %% tags=["solution"]
def competition_ranks(values, higher_is_better=True):
    """Ranks from 1 (best); ties share the smallest rank of their group: [0.9, 0.7, 0.9] → [1, 3, 1].

    Hint: a value's rank is 1 + the number of values strictly better than it.
    """
    values = np.asarray(values, float)
    better = values[None, :] > values[:, None] if higher_is_better else values[None, :] < values[:, None]
    return [int(r) for r in 1 + better.sum(axis=1)]


# %% tags=["self-check"]
with own_work(competition_ranks, "vadcore.papers.leaderboard", board.rankdata):
    expect_close("competition_ranks([0.9, 0.7, 0.9, 0.5])", competition_ranks([0.9, 0.7, 0.9, 0.5]), [1, 3, 1, 4])
    expect_close("competition_ranks([0.2, 0.1, 0.2], higher_is_better=False)",
                 competition_ranks([0.2, 0.1, 0.2], higher_is_better=False), [2, 1, 2])
    ### BEGIN HIDDEN TESTS
    ranked = board.ranks(rows)
    for key in board.RANKED:
        expect_close(f"competition_ranks of Table 3's {key} column",
                     competition_ranks(np.round([board.mean(rows[n], key) for n in rows], 12), key != "eer"),  # ties as ranks has them
                     [ranked[n][key] for n in rows])
    ### END HIDDEN TESTS
print("competition_ranks: correct")

# %% [markdown]
# ### Your turn 4 — predict, run, explain: only the clips with both classes · 1 point · ≈ 10 min
#
# The macro AUC skips a clip whose common frames are all normal or all anomalous; the micro AUC
# keeps it and, like every clip, stretches its scores to [0, 1] before pooling. The next cell
# re-scores the saved scores of the best learned row (by micro AUC) on the clips the macro AUC
# keeps, and nothing else: no run is trained. **Before you run it**, write down in
# `single_class_prediction()` whether that row's micro AUC will come out higher, lower or about the
# same (within 1 point), and why. The check shows your prediction beside the outcome; a wrong
# prediction passes — explain it in the discussion.

# %% tags=["solution"]
def single_class_prediction():
    """``(choice, reason)``: ``choice`` is "higher", "lower" or "about the same"; ``reason`` one sentence.

    Hint: after per-clip min–max, where do an all-anomalous clip's lowest frames land among other clips?
    """
    return ("higher", "min–max stretches a clip of one class over [0, 1] like any other, so its lowest anomalous "
                      "(or highest normal) frames land among the other class of the other clips; without such clips "
                      "the pooled frames are ordered better")


# %%
prediction = record_prediction(single_class_prediction)  # taken now, before the experiment below runs, and kept

# %%
best = board.order(learned)[0]
common_labels = metrics.drop_first([v.labels for v in data.test], first)
both = [i for i, l in enumerate(common_labels) if 0 < np.mean(l) < 1]
single = [f"{data.test[i].name} (all {'anomalous' if np.mean(l) == 1 else 'normal'})"
          for i, l in enumerate(common_labels) if i not in both]
kept = [board.run_metrics(plan[best, s], {name: [per_clip[i] for i in both] for name, per_clip in results[best, s].scores.items()},
                          [lab.data_for(plan[best, s]).test[i] for i in both], first)["micro_auc"] for s in lab.seeds]
before, after = 100 * board.mean(learned[best]), 100 * float(np.mean(kept))
print(f"clips with a single class on frames {first + 1}…: {', '.join(single) or 'none'}")

# %% tags=["self-check"]
lab.show(prediction_beside_outcome(prediction, before, after, f"{best}: micro AUC (%)",
                                   "only the clips with both classes", tolerance=1.0))

# %% [markdown]
# **Your explanation · 2 points, graded by your teacher.** In one paragraph, explain the outcome
# above with the numbers of this run: which mechanism moved the number, and — if your prediction
# missed — which assumption failed. Write it in the next cell.

# %% [markdown] tags=["explanation"]
# *Write your explanation here.*

# %% [markdown]
# ## Questions for discussion

# %%
strongest = found["reference"]
costly = max(learned, key=lambda name: board.mean(learned[name], "train_min"))
ranked = board.ranks(rows)
mover = max(rows, key=lambda name: max(ranked[name].values()) - min(ranked[name].values()))
moves = max(ranked[mover].values()) - min(ranked[mover].values())
several = len(lab.seeds) > 1
lab.show("\n".join([
    f"1. The best learned method here, {best}, reaches {before:.1f} % micro AUC; "
    f"{strongest}, which learns nothing, reaches {found['value']:.1f} %. Each paper of notebooks 01–04 reports its "
    f"method above the others it quotes. Which of the differences between their setting and this one — size, "
    f"schedule, test frames, seeds — would you expect to matter most?",
    (f"2. {mover} is ranked from {min(ranked[mover].values())} to {max(ranked[mover].values())} depending on the metric. "
     if moves else "2. Every metric ranks the rows of Table 3 in the same order here. ")
    + "Per-clip min–max needs a clip's lowest and highest score before any frame is judged. Which metric fits a camera "
    "that must raise an alarm as frames arrive, and which rows of Table 3 would you then trust?",
    f"3. {costly} trained for {board.mean(learned[costly], 'train_min'):.1f} min and reaches "
    f"{100 * board.mean(learned[costly]):.1f} %; {cheapest} trained for {board.mean(learned[cheapest], 'train_min'):.1f} "
    f"min and reaches {100 * board.mean(learned[cheapest]):.1f} %. What would a fair comparison at equal compute look "
    f"like, and who should pay for the validation search ({search_minutes:.1f} min here)?",
    (f"4. With {len(lab.seeds)} seeds per method, how large must a gap between two rows be before you believe it? "
     "Would ranking the learned rows by the lower end of each row's interval change their order?" if several else
     "4. With one seed per method there is no interval between trained models. How large must a gap between two "
     "rows be before you believe it, and how would you find out?"),
    (f"5. Leaving out the {len(single)} clip{'s' if len(single) > 1 else ''} with a single class — {', '.join(single)} — "
     f"moved {best}'s micro AUC from {before:.1f} % to {after:.1f} %. Where had per-clip min–max put those clips' "
     "frames, and why does the macro AUC not move at all?" if single else
     f"5. Every test clip holds both classes on frames {first + 1}… here, so the re-scoring left {best}'s micro AUC at "
     f"{before:.1f} %. Ped2 has four clips that are anomalous from their first frame to their last: what would "
     "per-clip min–max do to their frames in the micro AUC, and why would the macro AUC not move?"),
]))

# %% tags=["answer-key"]
gap = before - found["value"]
global_first = min(rows, key=lambda name: ranked[name]["global_auc"])
ratio = board.mean(learned[costly], "train_min") / max(board.mean(learned[cheapest], "train_min"), 1e-9)
gain = 100 * (board.mean(learned[costly]) - board.mean(learned[cheapest]))
if several:
    lower = {name: 100 * board.mean(values) - report.mean_interval([100 * v for v in values["micro_auc"]])
             for name, values in learned.items()}
    by_lower = sorted(lower, key=lower.get, reverse=True)
    answer4 = (f"The pooled seed noise of the learned rows is {found['noise']:.1f} points (one run's std): two single "
               f"runs must differ by more than 1.96·√2·{found['noise']:.1f} = {1.96 * np.sqrt(2) * found['noise']:.1f} "
               f"points, and paired over {len(lab.seeds)} seeds the difference needs its t interval to exclude 0. By the "
               "lower ends the learned rows are ordered " + ", ".join(by_lower) + " — "
               + ("the same order as by their means." if by_lower == board.order(learned) else
                  "not the order of their means: the ranking rests on gaps within seed noise."))
else:
    answer4 = ("With one seed nothing measures the seed noise: the verdict is undecided. Train three or more seeds per "
               "row (the `cpu` profile does) and compare each gap with its paired t interval; a gap smaller than the "
               "spread between seeds of one method is not a ranking.")
if single:
    answer5 = (f"{before:.1f} % → {after:.1f} % ({after - before:+.1f} points). Min–max stretches {', '.join(single)} "
               "over [0, 1] although each holds one class: the lowest-scored frames of an all-anomalous clip (the "
               "highest of an all-normal one) land among the other class of the other clips. "
               + ("Leaving them out raises the micro AUC, as predicted. " if after - before > 1 else
                  "Here that costs little: this row scores those clips' frames near the same level as the frames of "
                  "their class elsewhere. " if abs(after - before) <= 1 else
                  "Here it drops: those clips' frames were ordered better than the rest of this row's pool, so removing "
                  "them removed easy pairs. ")
               + "The macro AUC skips these clips already, so it cannot move.")
else:
    answer5 = ("Nothing to remove on this data. On Ped2 the four all-anomalous clips are stretched over [0, 1] by "
               "min–max, so their lowest frames fall below normal frames of other clips and the micro AUC drops; "
               "the macro AUC never sees them.")
lab.show("\n".join([
    "**Answer key** (the teacher's copy only; student copies leave this cell out)",
    f"1. Here {best} is {abs(gap):.1f} points {'above' if gap > 0 else 'below'} {strongest}. Size and schedule matter "
    f"most: the papers train at their own sizes (AnoPred at 256×256) for thousands of steps, here every method at "
    f"{size[0]}×{size[1]} for the profile's schedule; the test frames and which clips are pooled move an AUC by about "
    "a point (Your turn 4, notebook 00), seeds by their noise (question 4).",
    "2. A live camera knows neither a clip's minimum and maximum (micro AUC, EER, ΔS) nor all of its frames (macro "
    "AUC): only the global AUC — one normalisation fixed in advance, one threshold on raw scores — fits it. By it the "
    f"first row here is {global_first} (micro rank {ranked[global_first]['micro_auc']}); rows whose global rank is far "
    "below their micro rank owe their place to knowing the future.",
    f"3. Train every method for the same minutes (or operations) and compare there, or compare whole curves of AUC "
    f"against compute (Figure 1); one point per method mixes the method with its budget. Here {costly} costs "
    f"{ratio:.0f}× the minutes of {cheapest} and scores {abs(gain):.1f} points {'higher' if gain > 0 else 'lower'}. "
    f"The search's {search_minutes:.1f} min belong "
    "to the methods whose settings it chose (AnoPred, ADL, SEUNet, the dissociation model's clusters).",
    f"4. {answer4}",
    f"5. {answer5}",
    explanation_rubric(5),
]))

# %%
lab.show("## Deviations\n\n" + "\n".join(f"- {d}" for d in board.DEVIATIONS))
finish(lab, first_scored_frame=first + 1, timings={f"{row} seed {s}": r.timings for (row, s), r in results.items()})
