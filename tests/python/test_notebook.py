"""The example notebook runs headless from top to bottom without an error."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

import cybercover

from conftest import SOURCE_DIR

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = SOURCE_DIR / "examples" / "notebooks" / "portfolio_pricing.ipynb"


def test_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_portfolio_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A kernelspec of our own, pinned to this interpreter (Debian's /usr/bin/python3 when the
    # suite runs as documented), found first through JUPYTER_PATH.
    spec_dir = tmp_path / "jupyter" / "kernels" / "cybercover-test"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cybercover test", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # The kernel imports the same build of the package: its directory, absolute.
    package_root = str(Path(cybercover.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("MPLBACKEND", None)  # the notebook's inline backend (Agg-based, headless) makes the images
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="cybercover-test",
        resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert images >= 4  # tier, industry, size and the bundle's tier mix
    assert seconds < 60, f"the notebook took {seconds:.1f} s"
