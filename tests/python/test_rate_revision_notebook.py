"""examples/notebooks/rate_revision.ipynb (charged against indicated loss ratios along every
rating axis) runs headless from top to bottom without an error, draws its charts, prints every
axis and rebuilds the shipped edition 2027-04 to the byte."""

from __future__ import annotations

from pathlib import Path

import pytest

import notebook_support
from conftest import SOURCE_DIR

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOK = SOURCE_DIR / "examples" / "notebooks" / "rate_revision.ipynb"


def test_rate_revision_notebook_is_committed_without_outputs() -> None:
    notebook_support.assert_committed_without_outputs(nbformat, NOTEBOOK)


def test_rate_revision_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = notebook_support.execute(nbformat, nbclient, NOTEBOOK, tmp_path, monkeypatch, timeout=300)
    assert run.images >= 4  # top-up and base cover by axis, loss ratio by limit, dislocation
    for axis in ("layer", "tier", "bundle_plan", "size_band", "revenue_band", "industry", "limit", "deductible"):
        assert f"--- {axis}" in run.text, axis
    assert "same as shipped: True | rows that differ: 0" in run.text
