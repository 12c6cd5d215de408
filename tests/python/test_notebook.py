"""The example notebook runs headless from top to bottom without an error."""

from __future__ import annotations

from pathlib import Path

import pytest

import notebook_support
from conftest import SOURCE_DIR

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = SOURCE_DIR / "examples" / "notebooks" / "portfolio_pricing.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    notebook_support.assert_committed_without_outputs(nbformat, NOTEBOOK)


def test_portfolio_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = notebook_support.execute(nbformat, nbclient, NOTEBOOK, tmp_path, monkeypatch, timeout=120)
    assert run.images >= 4  # tier, industry, size and the bundle's tier mix
