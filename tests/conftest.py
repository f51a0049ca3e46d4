import pytest

from vadcore import paths


@pytest.fixture(autouse=True)
def isolated_data(tmp_path, monkeypatch):
    """Every test gets its own data folder (frame cache, run cache, synthped)."""
    monkeypatch.setenv("VADCORE_DATA", str(tmp_path / "vadcore-data"))
    return tmp_path / "vadcore-data"


@pytest.fixture
def shared_ped2():
    root = paths.shared_data_dir() / "ped2"
    if not root.is_dir():
        pytest.skip(f"real UCSD Ped2 not found at {root} (only present in development and CI)")
    return root
