"""Runs an example notebook headless, as the notebook tests need it: a kernel pinned to this
interpreter (Debian's /usr/bin/python3 when the suite runs as documented) that imports the
same build of the package, the notebook's inline backend (Agg-based) for the images."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import cybercover


@dataclass
class ExecutedNotebook:
    outputs: list      # every code cell's outputs, in order
    images: int        # PNG images drawn
    text: str          # every text/plain and stream output, joined


def assert_committed_without_outputs(nbformat, notebook: Path) -> None:
    nb = nbformat.read(str(notebook), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def execute(nbformat, nbclient, notebook: Path, tmp_path: Path, monkeypatch, *,
            timeout: int) -> ExecutedNotebook:
    """Executes `notebook` in `tmp_path`; raises CellExecutionError on the first failing cell."""
    # A kernelspec of our own, found first through JUPYTER_PATH.
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

    nb = nbformat.read(str(notebook), as_version=4)
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="cybercover-test",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute(env=env)  # the client's timeout (per cell) guards against a hang
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    return ExecutedNotebook(
        outputs=outputs,
        images=sum("image/png" in o.get("data", {}) for o in outputs),
        text="".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in outputs))
