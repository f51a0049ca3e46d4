from pathlib import Path

import pytest

# the real UCSD Ped2 copy beside the checkout in development and CI (never in a user's clone)
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch):
    """Every test gets its own data folder (frame cache, run cache, synthped)."""
    monkeypatch.setenv("VADCORE_DATA", str(tmp_path / "vadcore-data"))
    return tmp_path / "vadcore-data"


@pytest.fixture
def shared_ped2():
    root = SHARED_DATA / "ped2"
    if not root.is_dir():
        pytest.skip(f"real UCSD Ped2 not found at {root} (only present in development and CI)")
    return root
