"""Execute notebooks in place, top to bottom, each from a fresh kernel: `make execute`.

The committed outputs are what nbval compares against, so they must come from one clean,
scripted run: no timings in the metadata, no widget state (it holds every frame's PNG and
changes on every run), the notebook's own folder as the working directory.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                            store_widget_state=False,
                            resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute()
    nb.metadata.pop("widgets", None)
    nbformat.write(nb, path)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        start = time.perf_counter()
        execute(path)
        print(f"executed {path} in {time.perf_counter() - start:.1f} s")
