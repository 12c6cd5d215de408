"""examples/notebooks/calibration.ipynb (the loss model's calibration) runs headless from top
to bottom without an error and draws its charts."""

from __future__ import annotations

from pathlib import Path

import pytest

import notebook_support
from conftest import SOURCE_DIR

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")

NOTEBOOK = SOURCE_DIR / "examples" / "notebooks" / "calibration.ipynb"


def test_calibration_notebook_is_committed_without_outputs() -> None:
    notebook_support.assert_committed_without_outputs(nbformat, NOTEBOOK)


def test_calibration_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run = notebook_support.execute(nbformat, nbclient, NOTEBOOK, tmp_path, monkeypatch, timeout=300)
    # tier, plan, layer, limit and revenue band; AEP/OEP; loss ratios by tier and plan; one company
    assert run.images >= 9
    for group in ("tier", "bundle_plan", "layer", "revenue_band"):
        assert group in run.text
    assert "with accumulation" in run.text
