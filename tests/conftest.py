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
