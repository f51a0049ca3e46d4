"""Scores that learn nothing, which every learned model must beat: one place for every notebook's
reference rows.

- :mod:`vadcore.baselines.frames` — frame-level anomaly scores (random, frame difference, its
  per-pixel maps, the trivial predictors copy-last-frame and linear extrapolation; notebooks
  00–04);
- :mod:`vadcore.baselines.actions` — few-shot action scores (nearest prototype of mean frames or
  of a random ResNet's features) and random key regions (notebook 05).

Every public name is re-exported here: ``baselines.frame_difference_scores``,
``baselines.trivial_accuracies`` …
"""
from vadcore.baselines.actions import (
    mean_pixel_features, prototype_accuracies, random_network_features, random_region_centres, random_region_coverage,
    trivial_accuracies,
)
from vadcore.baselines.frames import (
    FIRST_SCORED, TRIVIAL_PREDICTORS, evaluate_trivial, frame_difference, frame_difference_maps,
    frame_difference_metrics, frame_difference_scores, random_scores, trivial_predictions,
)

__all__ = [
    "FIRST_SCORED", "TRIVIAL_PREDICTORS", "evaluate_trivial", "frame_difference", "frame_difference_maps",
    "frame_difference_metrics", "frame_difference_scores", "mean_pixel_features", "prototype_accuracies",
    "random_network_features", "random_region_centres", "random_region_coverage", "random_scores",
    "trivial_accuracies", "trivial_predictions",
]
