"""Notebook 00 (the data and the evaluation protocol): no paper, and no trained run — only the
settings its scores that learn nothing are computed with."""
from __future__ import annotations


def study(profile: str, dataset: str, seeds, *, device: str, **_):
    """Notebook 00's runs (:mod:`vadcore.methods.study`): none. Returns the prediction config at
    whose working size the trivial predictors are scored (``predictor``)."""
    from vadcore.methods import prediction

    return {"predictor": prediction.profile_config(profile, dataset, device=device)}
    yield  # a study without a stage: nothing is trained
