"""The experiments of the attention-driven-loss paper (Zhou et al.; notebook 02) as config
variants: each table row is a set of overrides of :class:`PredictionConfig`, so rows that name
the same setting share one cached run (Table III's "Base" is Table I's AnoPred, Table V's
B = 0.1 is ADL)."""
from __future__ import annotations

NO_FLOW_NO_GAN = {"flow": 0.0, "adversarial": 0.0}

TABLE_1 = {  # rows we implement; the others are quoted
    "AnoPred": {},
    "ADL (ours)": {"attention": "learned"},
}
TABLE_2 = {  # content/gradient losses only (Sec. V-C1)
    "ℓcl": {"gradient": 0.0, **NO_FLOW_NO_GAN},
    "ℓacl": {"attention": "learned", "attend": ("intensity",), "gradient": 0.0, **NO_FLOW_NO_GAN},
    "ℓacl + ℓgd": {"attention": "learned", "attend": ("intensity",), **NO_FLOW_NO_GAN},
    "ℓacl + ℓagd": {"attention": "learned", **NO_FLOW_NO_GAN},
}
TABLE_3 = {
    "Base": TABLE_1["AnoPred"],
    "+Human attention": {"attention": "human"},
    "+Our attention": TABLE_1["ADL (ours)"],
}
TABLE_5_BACKGROUNDS = (0.0, 0.1, 0.2, 0.3, 0.4)


def table_5(background: float) -> dict:
    return {"attention": "learned", "background": background}


def all_variants() -> list[tuple[dict, bool]]:
    """Every prediction setting the notebook trains, headline rows first, with whether it is
    a headline row (trained with every seed of the profile; the others with the first seed)."""
    variants = [(v, True) for v in TABLE_1.values()]
    variants += [(v, False) for v in TABLE_2.values()]
    variants.append((TABLE_3["+Human attention"], False))
    variants += [(table_5(b), False) for b in TABLE_5_BACKGROUNDS if b != 0.1]
    return variants
