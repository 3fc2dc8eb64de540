"""A pytest plugin for the nbval run (`make notebooks`): the notebooks' figures under test.

nbval compares each cell's outputs with the committed ones but skips ``image/png`` unless told
to diff them exactly (``--nbdime``), which no two font renderers would pass. This plugin
compares them with a tolerance instead, in the same run (the notebooks are executed once):
after nbval has run a cell and found its text outputs equal, every ``image/png`` the cell
output now is compared, in order, with the one committed in the notebook, by matplotlib's
``compare_images`` (an RMS difference of at most ``TOLERANCE`` on the 0-255 scale, as
pytest-mpl's default). A cell with a different number of images, or an image of another size,
fails. Cells nbval does not check (``nbval-ignore-output``, ``nbval-skip``: the live
explorers) are left alone. The fresh image and a picture of the difference of a failing cell
are kept in ``build/nbval-figures/``.

It is loaded by ``conftest.py`` (``pytest_plugins``) and acts on nbval's cells only.
"""

from __future__ import annotations

import base64
import binascii
import re
from pathlib import Path

import pytest

TOLERANCE = 2.0
KEEP = Path(__file__).resolve().parent.parent / "build" / "nbval-figures"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # nbval runs the cell and compares its text; a failure there is reported
    committed = getattr(getattr(item, "cell", None), "outputs", None)
    fresh = getattr(item, "test_outputs", None)
    options = getattr(item, "options", None)
    if committed is None or fresh is None or not isinstance(options, dict):
        return result  # not an nbval cell
    if not options.get("check", False) or options.get("skip", False):
        return result
    name = re.sub(r"[^\w.-]+", "_", item.nodeid)
    found = differences(committed, fresh, KEEP / name)
    if found:
        pytest.fail("the cell's figure differs from the committed one: " + "; ".join(found),
                    pytrace=False)
    return result


def pngs(outputs):
    """The ``image/png`` data of a cell's outputs, in order, as bytes."""
    found = []
    for output in outputs:
        data = output.get("data", {}) if isinstance(output, dict) else {}
        png = data.get("image/png")
        if png is not None:
            found.append(base64.b64decode("".join(png) if isinstance(png, list) else png))
    return found


def differences(committed, fresh, folder):
    """What differs between the committed and the fresh images of a cell (empty: nothing).
    The images of a failing comparison are written to ``folder``."""
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    want, got = pngs(committed), pngs(fresh)
    if len(want) != len(got):
        return [f"{len(want)} image(s) committed, {len(got)} made"]
    found = []
    for i, (expected, actual) in enumerate(zip(want, got, strict=True)):
        if expected == actual:
            continue  # byte for byte the same: the common case, no decoding needed
        folder.mkdir(parents=True, exist_ok=True)
        expected_path, actual_path = folder / f"{i}-committed.png", folder / f"{i}-fresh.png"
        expected_path.write_bytes(expected)
        actual_path.write_bytes(actual)
        try:
            result = compare_images(str(expected_path), str(actual_path), TOLERANCE,
                                    in_decorator=True)
        except ImageComparisonFailure as err:  # another size
            found.append(f"image {i}: {err} (see {folder})")
            continue
        except (ValueError, binascii.Error, OSError) as err:  # not a PNG
            found.append(f"image {i}: unreadable: {err}")
            continue
        if result is None:
            continue
        found.append(f"image {i}: RMS {result['rms']:.2f} > {TOLERANCE} (see {folder})")
    return found
