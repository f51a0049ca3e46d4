"""Which test clips and frames a notebook plots: clips with different kinds of anomaly, and the
middle frame of a clip's anomaly."""
from __future__ import annotations

import json

import numpy as np

from vadcore.data.video import VideoSet

# UCSD Ped2 (frame previews in notebook 00): 01 a bicycle, 04 a cart, 11 a bicycle and a second
# non-pedestrian, 12 a single small mover (a skater).
PED2_SHOWCASE = {"01": "bicycle", "04": "cart", "11": "bicycle and another mover", "12": "skater"}


def showcase_clips(dataset: VideoSet, count: int = 4) -> list[tuple[int, str]]:
    """``[(test clip index, description)]`` covering different anomaly types where known."""
    names = [v.name for v in dataset.test]
    if dataset.name == "synthped":
        events = json.loads((dataset.root / "synthped.json").read_text())["test_events"]
        chosen, seen = [], set()
        for i, clip in enumerate(events):
            if clip["events"][0] not in seen:
                seen.add(clip["events"][0])
                chosen.append((i, f"{names[i]}: " + " + ".join(e.replace("_", " ") for e in clip["events"])))
        return chosen[:count]
    if dataset.name == "ucsd_ped2" and set(PED2_SHOWCASE) <= set(names):
        return [(names.index(n), f"{n}: {kind}") for n, kind in PED2_SHOWCASE.items()][:count]
    return [(i, names[i]) for i in range(min(count, len(names)))]


def middle_anomalous_frame(labels: np.ndarray, first: int = 0) -> int:
    """Index (into ``labels``) of the middle anomalous frame among frames ``first`` … (the middle
    frame when none is anomalous): the frame figures show of an anomalous clip."""
    anomalous = np.flatnonzero(np.asarray(labels)[first:]) + first
    return int(anomalous[len(anomalous) // 2]) if anomalous.size else first + (len(labels) - first) // 2
