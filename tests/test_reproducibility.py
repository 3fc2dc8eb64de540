"""The notebooks depend on nothing but themselves: run in reverse order, each from a fresh kernel,
in a scratch copy of the folder, they print exactly what is committed and write no file."""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def text_outputs(cell):
    """What nbval compares: streams, errors and text/plain, with memory addresses masked."""
    if "nbval-ignore-output" in cell.metadata.get("tags", []):
        return None
    texts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            texts.append((output.name, output.text))
        elif output.output_type == "error":
            texts.append(("error", output.ename))
        else:
            texts.append(("data", output.get("data", {}).get("text/plain", "")))
    return [(kind, ADDRESS.sub("0x0", text)) for kind, text in texts]


@pytest.fixture(scope="module")
def reverse_run(tmp_path_factory):
    """Execute copies of all notebooks, last one first, each in a fresh kernel."""
    folder = tmp_path_factory.mktemp("notebooks")
    for path in NOTEBOOKS:
        shutil.copy(path, folder / path.name)
    before = {p.name for p in folder.iterdir()}
    results = {}
    for path in reversed(NOTEBOOKS):
        nb = nbformat.read(folder / path.name, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(folder)}}).execute()
        results[path.name] = nb
    return results, before, {p.name for p in folder.rglob("*")}


def test_there_are_notebooks_to_check():
    assert len(NOTEBOOKS) >= 5


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_reverse_order_run_matches_the_committed_outputs(reverse_run, path):
    results, _, _ = reverse_run
    committed = nbformat.read(path, as_version=4)
    fresh = results[path.name]
    for index, (old, new) in enumerate(zip(committed.cells, fresh.cells, strict=True)):
        if old.cell_type == "code":
            assert text_outputs(new) == text_outputs(old), f"{path.name}, cell {index}"


def test_notebooks_write_no_files(reverse_run):
    _, before, after = reverse_run
    assert after == before, f"new files: {sorted(after - before)}"
