"""The worked notebook examples/cuba-1962.ipynb runs from top to bottom on this checkout
(stored without outputs; every cell must succeed), on a kernel spec made here that points
at this interpreter, with few runs per estimate."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import brinkmanship

NOTEBOOK = Path(__file__).parents[1] / "examples" / "cuba-1962.ipynb"
KERNEL = "brinkmanship-test"
RUNS = 30


def kernel_spec(root: Path) -> None:
    """A kernel named :data:`KERNEL` under ``root``: this interpreter, this package."""
    here = root / "kernels" / KERNEL
    here.mkdir(parents=True)
    src = str(Path(brinkmanship.__file__).parents[1])
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "brinkmanship (tests)",
        "language": "python",
        "env": {
            "PYTHONPATH": os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p),
            "BRINK_EXAMPLE_RUNS": str(RUNS),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        },
    }
    (here / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")


def test_the_notebook_is_stored_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_the_worked_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kernel_spec(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=300,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first cell that fails
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "MonteCarlo: cuba-1962" in text and "Sweep: cuba-1962" in text
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(images) == 3  # the outcome, comparison and sweep charts
    assert list(tmp_path.iterdir()) == [tmp_path / "jupyter"]  # nothing left behind
