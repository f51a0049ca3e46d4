"""The experiments of the attention-driven-loss paper (Zhou et al.; notebook 02) as config
variants: each setting the paper trains is a set of overrides of
:class:`~vadcore.training.prediction.PredictionConfig`. Table rows name variants, so rows that
mean the same setting share one cached run (Table III's "Base" is Table I's AnoPred; Table V's
B = 0.1 is ADL)."""
from __future__ import annotations

from vadcore.data.video import VideoSet
from vadcore.runs import RunCache, RunResult
from vadcore.training import prediction

NO_FLOW_NO_GAN = {"flow": 0.0, "adversarial": 0.0}
BACKGROUNDS = (0.0, 0.1, 0.2, 0.3, 0.4)  # Table V

VARIANTS = {
    "AnoPred": {},
    "ADL": {"attention": "learned"},
    # Table II: content and gradient losses only (Sec. V-C1)
    "ℓcl": {"gradient": 0.0, **NO_FLOW_NO_GAN},
    "ℓacl": {"attention": "learned", "attend": ("intensity",), "gradient": 0.0, **NO_FLOW_NO_GAN},
    "ℓacl + ℓgd": {"attention": "learned", "attend": ("intensity",), **NO_FLOW_NO_GAN},
    "ℓacl + ℓagd": {"attention": "learned", **NO_FLOW_NO_GAN},
    # Table III
    "+Human attention": {"attention": "human"},
    # Table V (B = 0.1 is ADL itself)
    **{f"B = {b}": {"attention": "learned", "background": b} for b in BACKGROUNDS},
}
HEADLINE = ("AnoPred", "ADL")  # trained with every seed of the profile; the others with the first

TABLE_1_ROWS = {"AnoPred": "AnoPred", "ADL (ours)": "ADL"}  # paper row → variant
TABLE_2_ROWS = {name: name for name in ("ℓcl", "ℓacl", "ℓacl + ℓgd", "ℓacl + ℓagd")}
TABLE_3_ROWS = {"Base": "AnoPred", "+Human attention": "+Human attention", "+Our attention": "ADL"}


def run_variants(profile: str, data: VideoSet, seeds: list[int], cache: RunCache | None = None,
                 variants: list[str] | None = None) -> dict[str, list[RunResult]]:
    """Every variant's results (one per seed), trained and scored through the run cache, the
    headline rows first."""
    names = variants or list(VARIANTS)
    order = [(n, s) for n in names if n in HEADLINE for s in seeds]
    order += [(n, seeds[0]) for n in names if n not in HEADLINE]
    results: dict[str, list[RunResult]] = {n: [] for n in names}
    for name, seed in order:
        config = prediction.profile_config(profile, data.name, seed, **VARIANTS[name])
        results[name].append(prediction.cached_prediction(config, data.train, data.test, cache))
    return results
