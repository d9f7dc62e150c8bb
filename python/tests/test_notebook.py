"""The workshop notebook (examples/notebooks/workshop.ipynb) runs clean, headless, in a fresh
kernel (nbclient), and shows what it promises: the two runs' HTML views, the sweep's chart."""

import nbclient
import nbformat


def test_the_workshop_notebook_runs_clean(repo):
    path = repo / "examples" / "notebooks" / "workshop.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(repo)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = [o.get("data", {}) for o in outputs]
    assert sum("text/html" in d and "meshsim-run" in d["text/html"] for d in shown) == 2
    assert any("image/svg+xml" in d for d in shown)
