import os
from pathlib import Path

import pytest

# the real UCSD Ped2 copy beside the checkout in development and CI (never in a user's clone)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_runs(tmp_path, monkeypatch):
    """Every test gets its own run cache. The data folder (synthped, frame caches) is the test
    session's (``VADCORE_DATA``, set in the root ``conftest.py``): generated once from its seed,
    written atomically under locks, read by every test and notebook as the same bytes."""
    monkeypatch.setenv("VADCORE_RUNS", str(tmp_path / "vadcore-runs"))
    return tmp_path / "vadcore-runs"


@pytest.fixture(autouse=True)
def seeding_as_found():
    """A notebook seeds itself (:func:`vadcore.seeding.seed_everything` puts ``PYTHONHASHSEED`` in
    the environment, for the processes it starts, and turns PyTorch's deterministic kernels on); a
    test that starts one in this process leaves both as it found them, so that later tests, and
    the child processes they start, run as they would alone."""
    import torch

    from vadcore.seeding import deterministic_kernels

    found, deterministic = os.environ.get("PYTHONHASHSEED"), torch.are_deterministic_algorithms_enabled()
    yield
    if found is None:
        os.environ.pop("PYTHONHASHSEED", None)
    else:
        os.environ["PYTHONHASHSEED"] = found
    deterministic_kernels(deterministic)


@pytest.fixture
def isolated_data(tmp_path, monkeypatch):
    """A data folder of the test's own (frame cache, run cache, synthped): for tests of the data
    folder itself."""
    monkeypatch.setenv("VADCORE_DATA", str(tmp_path / "vadcore-data"))
    monkeypatch.setenv("VADCORE_RUNS", str(tmp_path / "vadcore-data" / "runs"))
    return tmp_path / "vadcore-data"


@pytest.fixture
def shared_ped2():
    root = SHARED_DATA / "ped2"
    if not root.is_dir():
        pytest.skip(f"real UCSD Ped2 not found at {root} (only present in development and CI)")
    return root


@pytest.fixture(scope="session")
def small_synthped(tmp_path_factory) -> str:
    """A synthped copy of four training and two test clips of 40 frames, for a notebook's
    ``data_root`` where a test checks what a notebook run does, not its numbers: notebook 00 runs on
    it in half the time, notebook 01 trains and scores its runs in seconds (the session's copy has
    1,800 test frames to score)."""
    from layouts import SMALL_SYNTHPED

    from vadcore.data import SynthPedConfig, load_dataset

    root = tmp_path_factory.mktemp("small") / "synthped"
    load_dataset("synthped", root, synth=SynthPedConfig(**SMALL_SYNTHPED), cache=False)
    return str(root)


# clips of each split in ped2_part: three training clips (the profiles hold two out for validation
# and train on the third), two test clips (both hold both classes, as every frame-level AUC needs)
PED2_PART = {"training": 3, "testing": 2}


@pytest.fixture
def ped2_part(shared_ped2, tmp_path):
    """The real Ped2's first :data:`PED2_PART` training and test clips in its own layout (links to
    the frame and mask folders, the ground truth ``ped2.mat`` cut to those clips): for checks of
    shapes and code paths, which read every clip the same way."""
    import scipy.io

    root = tmp_path / "ped2-part"
    for split, count in PED2_PART.items():
        (root / split / "frames").mkdir(parents=True)
        clips = sorted(p for p in (shared_ped2 / split / "frames").iterdir() if p.is_dir())[:count]
        assert len(clips) == count, f"{shared_ped2 / split}: {len(clips)} clips"
        for clip in clips:
            (root / split / "frames" / clip.name).symlink_to(clip)
    (root / "official_gt").symlink_to(shared_ped2 / "official_gt")
    gt = scipy.io.loadmat(shared_ped2 / "ped2.mat")["gt"]
    scipy.io.savemat(root / "ped2.mat", {"gt": gt[:, :PED2_PART["testing"]]})
    return root
