"""examples/notebooks/rate_revision.ipynb (charged against indicated loss ratios along every
rating axis) runs headless from top to bottom without an error, draws its charts, prints every
axis and rebuilds the shipped edition 2027-04 to the byte."""

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
pytest.importorskip("matplotlib")

NOTEBOOK = SOURCE_DIR / "examples" / "notebooks" / "rate_revision.ipynb"


def test_rate_revision_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_rate_revision_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A kernelspec of our own, pinned to this interpreter, found first through JUPYTER_PATH.
    spec_dir = tmp_path / "jupyter" / "kernels" / "cybercover-test"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "cybercover test", "language": "python",
    }))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    package_root = str(Path(cybercover.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.pop("MPLBACKEND", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="cybercover-test",
                                     resources={"metadata": {"path": str(tmp_path)}})
    start = time.perf_counter()
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - start
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    images = sum("image/png" in o.get("data", {}) for o in outputs)
    assert images >= 4  # top-up and base cover by axis, loss ratio by limit, dislocation
    text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs)
    for axis in ("layer", "tier", "bundle_plan", "size_band", "revenue_band", "industry", "limit", "deductible"):
        assert f"--- {axis}" in text, axis
    assert "same as shipped: True | rows that differ: 0" in text
    assert seconds < 120, f"the notebook took {seconds:.1f} s"
