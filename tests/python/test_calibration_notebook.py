"""examples/notebooks/calibration.ipynb (the loss model's calibration) runs headless from top
to bottom without an error and draws its charts."""

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

NOTEBOOK = SOURCE_DIR / "examples" / "notebooks" / "calibration.ipynb"


def test_calibration_notebook_is_committed_without_outputs() -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_calibration_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
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
    # tier, plan, layer, limit and revenue band; AEP/OEP; loss ratios by tier and plan; one company
    assert images >= 9
    text = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs)
    for group in ("tier", "bundle_plan", "layer", "revenue_band"):
        assert group in text
    assert "with accumulation" in text
    assert seconds < 120, f"the notebook took {seconds:.1f} s"
