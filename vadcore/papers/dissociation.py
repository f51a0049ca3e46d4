"""Spatio-temporal dissociation (notebook 04): reference, the table as far as we can check it, the
ablation rows as dissociation configs, claims and deviations.

Our source for the method is a set of reading notes on the paper (architecture and losses, no
numbers); the paper's own table could not be checked against a public source from here, so its
cells are shown as "not in the source" rather than quoted from memory.
"""
from __future__ import annotations

from vadcore.papers import Claim, PaperTable, Reference

REFERENCE = Reference("Y. Chang, Z. Tu, W. Xie, B. Luo, S. Zhang, H. Sui, J. Yuan",
                      "Video anomaly detection with spatio-temporal dissociation", "Pattern Recognition 122", 2022)
COLUMNS = ("ucsd_ped2", "avenue", "shanghaitech")

#: Where each numbered equation, table and figure of our source lives in this project: a dotted
#: name inside vadcore, a notebook section or ``"not implemented: <why>"``
#: (:func:`vadcore.report.schema.implementation_kind`). The source, reading notes on the paper,
#: numbers one figure (the architecture) and none of its formulas or tables.
IMPLEMENTED = {
    "Fig. 1": "vadcore.models.dissociation.DissociationAE",
}

NOT_IN_SOURCE = "not in the source"
TABLE = PaperTable("Table", "Frame-level AUC", COLUMNS, {"Dissociation AE": (None, None, None)})

# ablation row → dissociation overrides (on the profile's config)
ABLATIONS = {
    "spatial autoencoder only": {"branches": "spatial", "kmeans": False},
    "motion autoencoder only": {"branches": "motion", "kmeans": False},
    "without variance attention": {"attention": False},
    "without deep k-means": {"kmeans": False},
}
CLAIMS = {
    # like against like: the motion branch alone has no k-means, so both branches are compared without it too
    "branches": Claim("both autoencoders beat the motion one alone (both without deep k-means, error score)",
                      "without deep k-means", "motion autoencoder only"),
    "attention": Claim("variance attention helps", "full model", "without variance attention"),
    "kmeans": Claim("deep k-means helps", "full model", "without deep k-means"),
    "fused": Claim("fusing the cluster distance helps the score", "fused score", "prediction error only"),
    "anopred": Claim("the dissociation autoencoder beats AnoPred at the same size (not in the paper)",
                     "Dissociation AE", "AnoPred"),
}

DEVIATIONS = (
    "**Paper values:** not in the source — our source (reading notes) gives no table and we quote no number we "
    "could not check.",
    "**Size, widths and schedule:** `cpu` and `smoke` use small frames, encoder widths 16/8 (the authors' code: 32), "
    "a number of clusters chosen on held-out clips among 16/32/64 at `cpu`, 4/8 at `smoke` (theirs: 128) and a short schedule (pretraining, then joint training with k-means), Adam at one "
    "learning rate for all parameters (the authors' code: 5e-5 per branch, 1e-5 joint, 1e-6 for the centres). "
    "`gpu` keeps 256×256, width 32 and 128 clusters on 2,000 + 1,000 iterations at `cpu`'s learning rate, with "
    "bfloat16 forward passes on the GPU.",
    "**Blocks:** one residual block per stage with batch normalisation and LeakyReLU; pixel-shuffle upsampling in "
    "the decoders, as the paper describes.",
    "**Compactness:** each code's squared distance to its nearest centre (the authors' code weights all centres by "
    "a soft assignment); the fused score is theirs: the mean over pixels of the squared prediction error times the "
    "upsampled nearest-centre distance.",
    "**Joint stage:** the gradient loss keeps weight 1 in every stage (the authors' code: 0.01 in the joint stage), "
    "and the compactness gradient reaches every encoder layer (the authors' code trains the centres and the last "
    "layers only); our source (reading notes on the paper) fixes neither, so the simpler choice is kept and stated.",
    "**Colour:** the model reads three channels. UCSD Ped2 and synthped are grey, so their three channels are "
    "identical: the network sees the same information as a one-channel model, with three times the input weights.",
    "**Label alignment:** a window's score belongs to the frame it predicts — its last frame; the first four frames "
    "of every clip have no score and are dropped with their labels, explicitly, unlike the authors' released code. "
    "The spatial autoencoder alone reconstructs a window's first frame, so its scores belong to frames 1 … T − 4.",
)


def study(profile: str, dataset: str, seeds, *, device: str, iterations: int | None = None, ablations: bool = True, **_):
    """Notebook 04's runs (:mod:`vadcore.methods.study`): notebook 02's validation search, this
    family's own (the number of clusters, :data:`~vadcore.methods.dissociation.profiles.VALIDATION`;
    labels ``("clusters", stage, option)``), then the dissociation autoencoder with every seed
    (``("Dissociation AE", seed)``), its ablation rows with the first seed (``(row, seed)``) and
    AnoPred with every seed at the same size and the chosen settings (``("AnoPred", seed)``).
    Returns the prediction config the trivial predictors are scored with (``predictor``),
    AnoPred's settings and the dissociation search (``choice``, ``None`` where nothing is searched)."""
    from vadcore.methods import dissociation, prediction
    from vadcore.methods.dissociation.profiles import validation_steps as own_search
    from vadcore.methods.prediction.profiles import validation_steps

    schedule = {} if iterations is None else {"iterations": iterations, "pretrain": iterations * 2 // 3}
    settings, _ = yield from validation_steps(profile, dataset, seeds[0], device=device)
    chosen, choice = yield from own_search(profile, dataset, seeds[0], **schedule, device=device)
    headline = dissociation.profile_config(profile, dataset, seeds[0], **schedule, **chosen, device=device)
    runs = {("Dissociation AE", seed): dissociation.profile_config(profile, dataset, seed, **schedule, **chosen, device=device)
            for seed in seeds}
    if ablations:
        runs.update({(row, seeds[0]): dissociation.profile_config(profile, dataset, seeds[0],
                                                                  **{**schedule, **chosen, **overrides}, device=device)
                     for row, overrides in ABLATIONS.items()})
    runs.update({("AnoPred", seed): prediction.profile_config(profile, dataset, seed, size=headline.size, **settings, device=device)
                 for seed in seeds})
    yield runs
    return {"predictor": prediction.profile_config(profile, dataset, size=headline.size, device=device), "settings": settings,
            "choice": choice}


# --------------------------------------------------------------------------------------------
# The ablation and speed tables, from the finished runs
# --------------------------------------------------------------------------------------------
WITHOUT_COVARIANCE = "product of the frame means (fused without the pixel covariance)"


def ablation_rows(results, full: list[float], seeds, ablations: bool = True) -> dict[str, list[float]]:
    """``{row: [micro AUC %]}`` of the ablation: the full model's first seed (``full``: its micro
    AUC per seed), then each :data:`ABLATIONS` row (first seed; none without ``ablations``)."""
    from vadcore.report.rows import per_seed

    return {"full model": full[:1], **(per_seed(results, ABLATIONS, seeds[:1]) if ablations else {})}


def score_parts(plan, results, data, seeds) -> dict[str, list[float]]:
    """``{score: [micro AUC % per seed]}`` of the full model's runs scored four ways: the fused
    score, the prediction error alone, the cluster distance alone, and the product of the two
    frame means (:data:`WITHOUT_COVARIANCE`, from
    :func:`~vadcore.methods.dissociation.diagnostics.fusion_parts`)."""
    from vadcore.methods import dissociation
    from vadcore.methods.dissociation.diagnostics import fusion_parts
    from vadcore.report.rows import per_seed, rescored

    row = "Dissociation AE"
    return {"fused score": per_seed(results, [row], seeds)[row],
            "prediction error only": rescored(plan, results, data, row, "error", seeds),
            "cluster distance only": rescored(plan, results, data, row, "cluster", seeds),
            WITHOUT_COVARIANCE: [100 * dissociation.evaluate(plan[row, s], fusion_parts(results[row, s].scores),
                                                             dissociation.test_data(data), "frame_product")["micro_auc"]
                                 for s in seeds]}


def ablation_verdicts(rows: dict[str, list[float]], scores: dict[str, list[float]], noise: float | None,
                      where: str) -> str:
    """The verdicts of the ablation, one paragraph each: each ablation claim whose rows ``rows``
    holds (:func:`ablation_rows`), then whether fusing the cluster distance helps (``scores``:
    :func:`score_parts`)."""
    from vadcore.report import verdict

    texts = [verdict(CLAIMS[claim], rows, noise=noise, where=where) for claim in ("branches", "attention", "kmeans")
             if all(row in rows for row in (CLAIMS[claim].better, CLAIMS[claim].worse))]
    return "\n\n".join(texts + [verdict(CLAIMS["fused"], scores, where=where)])


def speed_rows(speed: dict[str, float], measured_on: str, size) -> list[list[str]]:
    """The speed table's lines: the paper's 32 frames/s, then each of ``speed`` (frames/s) with
    the device and frame size it was measured at."""
    return [["paper (one GPU, 256×256)", "32"]] + [[f"{name} ({measured_on}, {size[0]}×{size[1]})", f"{fps:.0f}"]
                                                  for name, fps in speed.items()]
