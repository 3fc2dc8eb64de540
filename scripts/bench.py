"""Performance tables for docs/performance.md: `make bench` (or `python scripts/bench.py --help`).

Every figure is measured here, in one process where they are compared, and printed as a
Markdown table; nothing is asserted. Timings are the best of several repeats (the least
disturbed by other work on the machine), except latencies, which report median and p95.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import neuron_core as nc  # installed by requirements.txt (`-e .`), like for the notebooks
import neuron_fast as nf

ROOT = Path(__file__).resolve().parent.parent


def best(fn, repeat=5):
    """The fastest of ``repeat`` runs of ``fn()``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def latencies(actions):
    """Median and 95th percentile, in ms, of calling each action once."""
    times = []
    for action in actions:
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3, float(np.percentile(times, 95)) * 1e3


def table(title, header, rows):
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


# -- 1. nc.train (05's loop), neuron_fast.train_fast and the article's per-sample loop -------


def bench_training():
    """The three ways the course trains, on the article's data: nc.train is notebook 05's loop
    (gradients, step, mse of forward, each checking its input); train_fast is the explorers'
    path (four averages, then a few flops an epoch); the article's loop visits one sample at a
    time. Ratios are against nc.train."""
    rows = []
    x, y = nc.ARTICLE_X, nc.ARTICLE_Y
    for epochs in (50, 1000, 10_000):
        plain = nc.train(x, y, lr=0.1, epochs=epochs, reduction="sum")
        fast = nf.train_fast(x, y, lr=0.1, epochs=epochs, reduction="sum")
        w, b, _ = nc.article_model(x, y, epochs=epochs)
        repeat = 20 if epochs <= 1000 else 3
        t_plain = best(lambda e=epochs: nc.train(x, y, lr=0.1, epochs=e, reduction="sum"),
                       repeat=repeat)
        t_fast = best(lambda e=epochs: nf.train_fast(x, y, lr=0.1, epochs=e, reduction="sum"),
                      repeat=repeat)
        t_loop = best(lambda e=epochs: nc.article_model(x, y, epochs=e), repeat=repeat)
        gap_loop = max(abs(plain.w - w), abs(plain.b - b))
        gap_fast = max(abs(plain.w - fast.w), abs(plain.b - fast.b))
        rows.append([f"{epochs:,}", f"{t_plain * 1e3:.2f}", f"{t_plain / epochs * 1e6:.1f}",
                     f"{t_loop / t_plain:.2f}×", f"{t_fast / t_plain:.3f}×",
                     f"{gap_loop:.1e}", f"{gap_fast:.1e}"])
    table("Training on the article's data (9 samples, lr 0.1, summed gradient)",
          ["epochs", "nc.train (ms)", "nc.train µs/epoch", "article's loop / nc.train",
           "train_fast / nc.train", "max |Δw|, |Δb| article's loop", "max |Δw|, |Δb| train_fast"],
          rows)


# -- 2. Scale: time per epoch against the memory-bandwidth floor ------------------------------


def bench_scale(max_exponent=6, epochs=100):  # 10**6 = nc.MAX_SAMPLES
    """nc.train passes over the data several times an epoch (each function checks its input and
    computes with temporaries); train_fast reads it once (its setup), then an epoch costs the
    same for any n."""
    rows = []
    for exponent in range(3, max_exponent + 1):
        n = 10 ** exponent
        celsius, y = nc.make_dataset(n=n, noise=1.0, seed=0)
        x = nc.scale_inputs(celsius)
        floor = best(lambda x=x, y=y: (x @ x, x @ y))
        plain = best(lambda x=x, y=y: nc.train(x, y, lr=0.5, epochs=epochs), repeat=3) / epochs
        setup = best(lambda x=x, y=y: nf.train_fast(x, y, lr=0.5, epochs=0), repeat=3)
        fast = best(lambda x=x, y=y: nf.train_fast(x, y, lr=0.5, epochs=epochs), repeat=3)
        rows.append([f"10^{exponent}", f"{floor * 1e3:.3f}", f"{plain * 1e3:.3f}",
                     f"{plain / floor:.1f}×", f"{setup * 1e3:.2f}",
                     f"**{fast / epochs / floor:.2f}×**"])
    celsius, y = nc.make_dataset(n=1000)
    x = nc.scale_inputs(celsius)
    per_epoch = (best(lambda: nf.train_fast(x, y, lr=0.5, epochs=nc.MAX_EPOCHS), repeat=3)
                 - best(lambda: nf.train_fast(x, y, lr=0.5, epochs=0))) / nc.MAX_EPOCHS
    table(f"Scale: noisy Celsius data, n samples, {epochs} epochs (floor = x@x and x@y over the "
          f"same arrays; a train_fast epoch after its setup costs {per_epoch * 1e6:.2f} µs, for "
          f"any n)",
          ["n", "floor (ms)", "nc.train per epoch (ms)", "nc.train epoch / floor",
           "train_fast setup: one pass (ms)",
           f"train_fast per epoch ({epochs} epochs, setup included) / floor"], rows)


# -- 3. Explorers: what the kernel computes, once, and what it sends -------------------------


def message_bytes(value):
    """Bytes of a trait's value as ipywidgets sends it (buffers + a rough JSON size)."""
    if isinstance(value, bytes):
        return len(value)
    if isinstance(value, dict):
        return sum(message_bytes(v) + len(str(k)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return sum(message_bytes(v) for v in value)
    return len(str(value))


def bench_explorers():
    """The browser owns the view: a control costs the kernel nothing. The kernel builds each
    explorer once (every lr's run, the first background) and draws a background when the page
    asks for one it has not got."""
    import matplotlib

    matplotlib.use("Agg")
    celsius, y = nc.make_dataset()
    x = nc.scale_inputs(celsius)
    rows = []
    for name, make, key in (("training (200 epochs, runs to 1000)", nc.training_explorer, "50"),
                            ("hand-fit", nc.hand_fit_explorer, None),
                            ("step (40 steps)", nc.step_explorer, "1")):
        make(x, y).close()  # imports and font caches warm
        made = latencies([lambda make=make: make(x, y).close() for _ in range(3)])
        ex = make(x, y)
        runs = ex.view.runs if hasattr(ex.view, "runs") else ex.view.data
        first = message_bytes(runs) + message_bytes(ex.view.background)
        asked = (latencies([lambda k=key, ex=ex: ex.view._answer(ex.view, {"want": k}, [])
                            for _ in range(1)]) if key else (0.0, 0.0))
        picture = latencies([ex.picture for _ in range(3)])
        rows.append([name, f"{made[0]:.0f}", f"{first / 1e3:.0f}",
                     f"{asked[0]:.0f}" if key else "–", f"{picture[0]:.0f}"])
        ex.close()
    table("Explorers, kernel side: made once, then a control costs the kernel nothing "
          "(the browser owns the view)",
          ["explorer", "made (ms, median)", "first message (kB: runs + background, 2 themes)",
           "a new background asked by the page (ms)", "picture for the output (ms)"], rows)


def bench_backends():
    """The same two-panel figure updated 30 times, ways of getting it to the screen."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    celsius, y = nc.make_dataset()
    x = nc.scale_inputs(celsius)
    lrs = np.geomspace(0.01, 0.9, 31)

    def full_redraw(fig, update, render):
        def action(v):
            update(v)
            render(fig)
        return [lambda v=v: action(v) for v in lrs]

    fig, curve, line = _plain_figure(x, y)

    def update(lr):
        h = nc.train(x, y, lr=float(lr), epochs=200)
        curve.set_data(np.arange(h.epochs + 1), h.losses)
        line.set_ydata(h.w * x + h.b)

    # What `clear_output(); display(fig)` costs with the inline backend: a full draw and a PNG
    # with bbox_inches="tight", as matplotlib-inline renders it.
    inline = latencies(full_redraw(fig, update, lambda f: f.savefig(
        io.BytesIO(), format="png", bbox_inches="tight")))
    rows = [["browser canvas over a PNG drawn once; every lr's run sent once (chosen)",
             "0 (drawn in the page)", ""],
            ["inline backend: full redraw → PNG (clear_output + display)",
             *map("{:.1f}".format, inline)]]
    try:
        ipympl = _ipympl_latency(x, y, lrs)
        rows.append(["ipympl: full draw → diff PNG to the frontend", *map("{:.1f}".format, ipympl)])
    except Exception as err:  # noqa: BLE001 - report, do not fail the benchmark
        rows.append([f"ipympl: not measurable here ({type(err).__name__}: {err})", "", ""])
    table("Rendering strategy, kernel side, per change of the training explorer's figure "
          "(200 epochs)", ["strategy", "median (ms)", "p95 (ms)"], rows)


def _plain_figure(x, y):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 4.2), dpi=96, layout="constrained")
    FigureCanvasAgg(fig)
    ax_loss, ax_fit = fig.subplots(1, 2)
    (curve,) = ax_loss.semilogy([1, 2], [1, 2])
    ax_loss.set_ylim(1e-12, 1e12)
    ax_fit.plot(x, y, "o")
    (line,) = ax_fit.plot(x, y)
    return fig, curve, line


def _ipympl_latency(x, y, lrs):
    """ipympl renders with Agg in the kernel and sends a PNG of what changed."""
    code = f"""
import numpy as np, statistics, time, matplotlib
matplotlib.use("module://ipympl.backend_nbagg")
import matplotlib.pyplot as plt
import neuron_core as nc
x, y = np.array({x.tolist()}), np.array({y.tolist()})
fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(10, 4.2), dpi=96, layout="constrained")
(curve,) = ax_loss.semilogy([1, 2], [1, 2]); ax_loss.set_ylim(1e-12, 1e12)
ax_fit.plot(x, y, "o"); (line,) = ax_fit.plot(x, y)
times = []
for lr in {lrs.tolist()}:
    start = time.perf_counter()
    h = nc.train(x, y, lr=lr, epochs=200)
    curve.set_data(np.arange(h.epochs + 1), h.losses); line.set_ydata(h.w * x + h.b)
    fig.canvas.draw()
    fig.canvas.get_diff_image()
    times.append(time.perf_counter() - start)
print(statistics.median(times) * 1e3, float(np.percentile(times, 95)) * 1e3)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return tuple(float(v) for v in out.stdout.split()[-2:])


# -- 4. The course: test suite and notebook timings, kernel memory ----------------------------


def bench_course():
    rows = []
    make = ["make", "--no-print-directory"]
    for target, what in [("notebooks", "nbval over all notebooks"),
                         ("test", "make test (everything; no installation)")]:
        start = time.perf_counter()
        done = subprocess.run([*make, target], cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        status = "passed" if done.returncode == 0 else f"FAILED ({done.returncode})"
        rows.append([what, f"{seconds:.1f}", status])
    table("The course's checks (wall time, this machine)", ["what", "seconds", "result"], rows)


def bench_memory(notebook="05_training.ipynb"):
    """Peak resident memory of one kernel that ran a notebook top to bottom."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "instructor" / notebook, as_version=4)  # the full text
    # VmHWM, not ru_maxrss: on Linux a forked kernel inherits its parent's ru_maxrss.
    probe = ("import re\n"
             "status = open('/proc/self/status').read()\n"
             "print(int(re.search(r'VmHWM:\\s*(\\d+)', status)[1]) / 1024)")
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    NotebookClient(nb, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "instructor")}}).execute()
    peak = float(nb.cells[-1].outputs[0]["text"])
    table("Footprint", ["what", "peak RSS (MB)"],
          [[f"one kernel after running {notebook} top to bottom", f"{peak:.0f}"]])


def bench_browser():
    """The explorers in JupyterLab in headless Chromium: key press to painted plot, Play's
    frame rate, kernel CPU, ten kernels playing at once."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_browser.py")], check=True)


SECTIONS = {"training": bench_training, "memory": bench_memory, "scale": bench_scale,
            "explorers": bench_explorers, "backends": bench_backends, "browser": bench_browser,
            "course": bench_course}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sections", nargs="*", metavar="section",
                        help=f"which tables to print, of {', '.join(SECTIONS)} (default: all)")
    args = parser.parse_args()
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {list(SECTIONS)}")
    print(f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, numpy {np.__version__}.")
    for name in args.sections or SECTIONS:
        SECTIONS[name]()


if __name__ == "__main__":
    main()
