"""Executes every tutorial notebook top to bottom (the CI check of tutorial/).

    PYTHONPATH=build/python /usr/bin/python3 tutorial/run_notebooks.py [day3 ...]

Each notebook runs in a fresh python3 kernel in tutorial/, in memory: nothing is
written back (notebooks are committed without outputs). Fails on the first cell
that raises, naming the notebook and the cell.
"""
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = pathlib.Path(__file__).resolve().parent


def main(names):
    # The kernels run in tutorial/: a relative PYTHONPATH (build/python) is made absolute.
    paths = [str(pathlib.Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebooks = sorted(HERE.glob("day*.ipynb"))
    if names:
        notebooks = [n for n in notebooks if any(n.stem.startswith(name) for name in names)]
    if not notebooks:
        print("run_notebooks: no notebooks found", file=sys.stderr)
        return 1
    failed = []
    for path in notebooks:
        notebook = nbformat.read(path, as_version=4)
        if any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"):
            print(f"{path.name}: committed with outputs; clear them", file=sys.stderr)
            failed.append(path.name)
        began = time.perf_counter()
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(HERE)}})
        try:
            client.execute()
            print(f"{path.name}: ok in {time.perf_counter() - began:.1f} s", flush=True)
        except CellExecutionError as error:
            print(f"{path.name}: FAILED after {time.perf_counter() - began:.1f} s\n{error}", flush=True)
            failed.append(path.name)
    if failed:
        print("run_notebooks: failed: " + ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
