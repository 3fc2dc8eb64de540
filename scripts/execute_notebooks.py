"""Execute notebooks in place, each from a fresh kernel, at most two at a time: `make execute`.

Usage: python scripts/execute_notebooks.py [--jobs N] NOTEBOOK...

The committed outputs are what nbval compares against, so they come from one clean, scripted
run: no timings in the metadata, the notebook's own folder as the working directory. The widgets'
state is saved into the notebook (nbclient's ``store_widget_state``), so that an explorer shows
in a viewer with no kernel behind it (GitHub, nbviewer, JupyterLab before Run). The kernel names
its widget models with random ids; they are renamed to ids derived from the notebook's name and
the model's place in the state, so two runs write the same bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# A fixed namespace for the stable model ids (any constant UUID would do; this one is random).
NAMESPACE = uuid.UUID("5f0c3a52-8d1e-4c4b-9a8e-0b1e2d7c6a91")
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def stable_widget_ids(nb, name: str):
    """The notebook with every widget model id replaced by uuid5(name, its index in the state).

    The ids are 32 hex digits, unique, and appear only where the state or an output refers to a
    model ("IPY_MODEL_<id>", "model_id"), so a textual replacement is exact.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    ids = [model_id for model_id in state if HEX_ID.match(model_id)]
    if not ids:
        return nb
    text = json.dumps(nb, ensure_ascii=False)
    renamed = {old: uuid.uuid5(NAMESPACE, f"{name}:{i}").hex for i, old in enumerate(ids)}
    text = re.sub("|".join(ids), lambda match: renamed[match[0]], text)
    return nbformat.from_dict(json.loads(text))


async def execute(path: Path, slots: asyncio.Semaphore) -> float:
    """Run one notebook in a fresh kernel and write it back; returns the seconds it took."""
    async with slots:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        nb.metadata.pop("widgets", None)  # the last run's state must not survive a failed one
        client = NotebookClient(nb, timeout=300, kernel_name="python3", record_timing=False,
                                store_widget_state=True,
                                resources={"metadata": {"path": str(path.parent)}})
        await client.async_execute()
        nbformat.write(stable_widget_ids(nb, path.name), path)
        return time.perf_counter() - start


async def execute_all(paths: list[Path], jobs: int) -> None:
    slots = asyncio.Semaphore(jobs)
    # Longest first would be better still, but the lessons take similar times.
    seconds = await asyncio.gather(*(execute(path, slots) for path in paths))
    for path, took in zip(paths, seconds, strict=True):
        print(f"executed {path} in {took:.1f} s")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="kernels at once (default 2)")
    parser.add_argument("notebooks", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    asyncio.run(execute_all(args.notebooks, args.jobs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
