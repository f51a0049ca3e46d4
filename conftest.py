"""Test-session settings: executed notebooks (nbval) write their tables and figures to a temporary
folder, so running the tests never rewrites the committed ``results/``."""
import os
import tempfile


def pytest_configure(config):
    os.environ.setdefault("VADCORE_RESULTS", tempfile.mkdtemp(prefix="vadcore-results-"))
    os.environ.setdefault("MPLBACKEND", "Agg")
