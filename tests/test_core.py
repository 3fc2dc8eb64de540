"""Unit tests of neuron_core's math: each expected value has a reason independent of the code
under test (a physical fact, a closed form, a finite difference, or the article's own figures)."""

import ast
import inspect
import pathlib
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import neuron_core as nc
import neuron_fast as nf

RNG = np.random.default_rng(20261125)


@pytest.fixture
def course():
    """The course's data: Celsius readings scaled by 100, and their true Fahrenheit values."""
    celsius, fahrenheit = nc.make_dataset()
    return nc.scale_inputs(celsius), fahrenheit


def random_problem(n=12):
    x = RNG.uniform(-2, 2, n)
    y = 3.0 * x - 1.0 + RNG.normal(0, 0.5, n)
    return x, y, RNG.uniform(-5, 5), RNG.uniform(-5, 5)


# -- data ------------------------------------------------------------------------------------


def test_true_rule_matches_known_temperatures():
    # Water boils at 212 °F, freezes at 32 °F; the scales cross at -40; body temperature 98.6 °F.
    celsius = np.array([100.0, 0.0, -40.0, 37.0])
    np.testing.assert_allclose(nc.celsius_to_fahrenheit(celsius), [212, 32, -40, 98.6])
    assert nc.celsius_to_fahrenheit(100) == 212.0


def test_dataset_is_evenly_spaced_true_values_and_noise_is_seeded():
    celsius, fahrenheit = nc.make_dataset()
    np.testing.assert_array_equal(celsius, np.arange(-40.0, 41.0, 10.0))
    np.testing.assert_allclose(fahrenheit, celsius * 9 / 5 + 32)
    _, noisy_a = nc.make_dataset(noise=2.0, seed=3)
    _, noisy_b = nc.make_dataset(noise=2.0, seed=3)
    _, noisy_c = nc.make_dataset(noise=2.0, seed=4)
    np.testing.assert_array_equal(noisy_a, noisy_b)
    assert not np.allclose(noisy_a, noisy_c)
    assert 0.5 < np.std(noisy_a - fahrenheit) < 4.0


def test_article_constants_are_the_articles_numbers():
    # Transcribed from the article's text, independently of neuron_core.
    x_train = np.array([-40.0, -30, -20, -10, 0, 10, 20, 30, 40]) / 100
    y_train = [31.28, 31.46, 31.64, 31.82, 32.0, 32.18, 32.36, 32.54, 32.72]
    np.testing.assert_array_equal(nc.ARTICLE_X, x_train)
    np.testing.assert_array_equal(nc.ARTICLE_Y, y_train)


def test_article_targets_are_scaled_celsius_not_fahrenheit():
    # The article's bug: its targets are 1.8*(C/100) + 32, so -40 °C maps to 31.28, not -40 °F.
    np.testing.assert_allclose(nc.ARTICLE_Y, 1.8 * nc.ARTICLE_CELSIUS / 100 + 32)
    assert not np.allclose(nc.ARTICLE_Y, nc.celsius_to_fahrenheit(nc.ARTICLE_CELSIUS))


def test_scaling_round_trip_recovers_celsius_rule():
    assert nc.scale_inputs(37.0) == pytest.approx(0.37)
    assert nc.unscale_params(180.0, 32.0) == pytest.approx((1.8, 32.0))
    assert nc.unscale_params(180.0, 32.0, scale=10) == pytest.approx((18.0, 32.0))


# -- the neuron ------------------------------------------------------------------------------


def test_forward_scalar_array_and_column():
    assert nc.forward(0.2, w=180.0, b=32.0) == pytest.approx(68.0)
    assert isinstance(nc.forward(0.2, w=1.0, b=0.0), float)
    np.testing.assert_allclose(nc.forward(np.array([0.0, 1.0]), w=180.0, b=32.0), [32, 212])
    column = nc.ARTICLE_X.reshape(-1, 1)  # the article's shape
    np.testing.assert_allclose(nc.forward(column, w=2.0, b=1.0), 2 * nc.ARTICLE_X + 1)


def test_mse_by_hand_and_is_a_python_float():
    # errors -2, 1, 4, -1: squares 4, 1, 16, 1: mean 22/4
    loss = nc.mse(y_hat=[30.0, 33.0, 36.0, 31.0], y=[32.0, 32.0, 32.0, 32.0])
    assert loss == 5.5 and type(loss) is float


def test_mse_does_not_broadcast_a_column_against_a_row():
    # (n, 1) minus (n,) silently makes an (n, n) matrix in numpy; the course must not.
    assert nc.mse(np.array([[1.0], [2.0]]), np.array([1.0, 4.0])) == 2.0


@pytest.mark.parametrize("trial", range(20))
def test_gradients_agree_with_finite_differences(trial):
    x, y, w, b = random_problem(n=5 + trial)
    dw, db = nc.gradients(x=x, y=y, w=w, b=b)
    h = 1e-6  # central differences on the plain formula, not via neuron_core

    def loss(w, b):
        return np.mean((w * x + b - y) ** 2)

    assert dw == pytest.approx((loss(w + h, b) - loss(w - h, b)) / (2 * h), rel=1e-6, abs=1e-7)
    assert db == pytest.approx((loss(w, b + h) - loss(w, b - h)) / (2 * h), rel=1e-6, abs=1e-7)


def test_numerical_gradients_of_a_known_quadratic():
    # x = [0, 1], y = [32, 212], w = 179, b = 32: residuals [0, -1], so dw = db = 2 * (-1) / 2.
    dw, db = nc.numerical_gradients(x=[0.0, 1.0], y=[32.0, 212.0], w=179.0, b=32.0, h=1e-4)
    assert (dw, db) == pytest.approx((-1.0, -1.0), abs=1e-7)


def test_sum_reduction_is_n_times_the_mean():
    x, y, w, b = random_problem(n=9)
    mean = np.array(nc.gradients(x, y, w, b))
    total = np.array(nc.gradients(x, y, w, b, reduction="sum"))
    np.testing.assert_allclose(total, 9 * mean, rtol=1e-12)


def test_step_moves_against_the_gradient():
    assert nc.step(w=1.0, b=0.0, dw=-300.0, db=-60.0, lr=0.1) == pytest.approx((31.0, 6.0))


# -- training --------------------------------------------------------------------------------


@pytest.mark.parametrize("trial", range(3))  # 3,000 epochs of 05's loop each: about 0.3 s
def test_train_converges_to_the_closed_form(trial):
    x, y, _, _ = random_problem(n=30)
    lr = 0.5 * nc.lr_threshold(x)
    history = nc.train(x=x, y=y, lr=lr, epochs=3000)
    # Least squares from numpy's own solver, independent of nc.closed_form.
    (w_ls, b_ls), *_ = np.linalg.lstsq(np.c_[x, np.ones_like(x)], y, rcond=None)
    assert (history.w, history.b) == pytest.approx((w_ls, b_ls), rel=1e-8, abs=1e-8)
    assert nc.closed_form(x, y) == pytest.approx((w_ls, b_ls), rel=1e-10, abs=1e-10)
    assert not history.diverged


def test_train_is_step_of_gradients_each_epoch(course):
    # Notebook 05's loop, as the notebook writes it: train must give exactly its numbers.
    x, y = course
    history = nc.train(x, y, lr=0.3, epochs=25, w=2.0, b=-1.0)
    w, b = 2.0, -1.0
    for epoch in range(26):  # the start, then after each of the 25 updates
        assert (history.ws[epoch], history.bs[epoch]) == (w, b)
        assert history.losses[epoch] == nc.mse(nc.forward(x, w, b), y)
        dw, db = nc.gradients(x, y, w, b)
        w, b = nc.step(w, b, dw, db, lr=0.3)
    assert (history.w, history.b) == (history.ws[-1], history.bs[-1])
    assert len(history.ws) == len(history.bs) == len(history.losses) == 26
    assert history.epochs == 25


def test_course_training_finds_the_celsius_rule(course):
    x, y = course
    history = nc.train(x, y, lr=0.9, epochs=300)
    w_c, b_c = nc.unscale_params(history.w, history.b)
    assert w_c == pytest.approx(1.8, abs=1e-9) and b_c == pytest.approx(32.0, abs=1e-9)
    assert nc.forward(1.0, history.w, history.b) == pytest.approx(212.0, abs=1e-6)


def test_starting_at_the_answer_stays_there(course):
    x, y = course
    for lr in (0.1, 0.9):
        history = nc.train(x, y, lr=lr, epochs=100, w=180.0, b=32.0)
        assert not history.diverged and history.epochs == 100
        assert (history.w, history.b) == pytest.approx((180.0, 32.0), abs=1e-9)
    assert nc.train([0.0, 1.0], [0.0, 1.0], lr=0.5, epochs=10, w=1.0, b=0.0).losses.max() == 0


def test_zero_epochs_returns_the_start():
    history = nc.train([0.0, 1.0], [1.0, 2.0], lr=0.1, epochs=0, w=3.0, b=4.0)
    assert (history.w, history.b, history.epochs, history.diverged) == (3.0, 4.0, 0, False)


def train_body_calls():
    """The names train's own body calls, read from its source."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(nc.train)))
    return {node.func.id for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}


def test_train_body_is_the_notebooks_loop():
    assert {"gradients", "step", "forward", "mse"} <= train_body_calls()
    assert len(inspect.getsource(nc.train).splitlines()) < 45  # readable beside notebook 05


# lr as a fraction of each problem's threshold: converging, zig-zagging, just either side of
# the threshold (slow rise, flagged by History's rise test), and running away fast.
LR_FRACTIONS = (0.05, 0.5, 0.9, 0.999, 1.001, 1.05, 2.0, 40.0)


def fast_and_plain_problems():
    celsius, fahrenheit = nc.make_dataset()
    noisy_c, noisy_f = nc.make_dataset(n=50, low=-10.0, high=60.0, noise=2.0, seed=3)
    rng = np.random.default_rng(7)
    x_r = rng.uniform(0.5, 3.0, 20)  # far from centred: w and b strongly coupled
    return [(nc.scale_inputs(celsius), fahrenheit, "mean", 1.0, 0.0),
            (nc.ARTICLE_X, nc.ARTICLE_Y, "sum", 1.0, 0.0),
            (nc.scale_inputs(noisy_c), noisy_f, "mean", -3.0, 5.0),
            (x_r, 4.0 * x_r - 2.0 + rng.normal(0, 0.3, 20), "mean", 0.0, 0.0),
            (celsius, fahrenheit, "mean", 0.0, 0.0)]  # raw °C: a threshold of 0.0015


@pytest.mark.parametrize("problem", range(5))
def test_train_fast_gives_trains_history(problem):
    # neuron_fast.train_fast (the explorers' path) must give what the plain loop gives.
    x, y, reduction, w, b = fast_and_plain_problems()[problem]
    threshold = nc.lr_threshold(x, reduction)
    for fraction in LR_FRACTIONS:
        for epochs in (0, 1, 7, 300):
            lr = fraction * threshold
            plain = nc.train(x, y, lr, epochs, w=w, b=b, reduction=reduction)
            fast = nf.train_fast(x, y, lr, epochs, w=w, b=b, reduction=reduction)
            where = f"lr = {fraction} * threshold, {epochs} epochs"
            assert (fast.epochs, fast.diverged) == (plain.epochs, plain.diverged), where
            np.testing.assert_allclose(fast.ws, plain.ws, rtol=1e-9, atol=1e-12, err_msg=where)
            np.testing.assert_allclose(fast.bs, plain.bs, rtol=1e-9, atol=1e-12, err_msg=where)
            scale = plain.losses[0]  # the losses near 0 differ by rounding of the start's size
            np.testing.assert_allclose(fast.losses, plain.losses, rtol=1e-9, atol=1e-12 * scale,
                                       err_msg=where)
            assert (fast.lr, fast.reduction) == (plain.lr, plain.reduction)
            assert fraction < 1 or epochs < 300 or plain.diverged, where


# The article's figures, as printed in "A Neural Net From Scratch".
ARTICLE_W, ARTICLE_B = 1.7986596334086586, 31.999543280738333
ARTICLE_PRINTED = {0: 998.7760000000001, 1: 678.2142745600001, 2: 400.5283809648645,
                   47: 0.7345516170916814, 48: 0.7323773915041649, 49: 0.7343447652825804}


def test_train_reproduces_the_articles_result():
    history = nc.train(nc.ARTICLE_X, nc.ARTICLE_Y, lr=0.1, epochs=50, w=1.0, b=0.0,
                       reduction="sum")
    assert history.w == pytest.approx(ARTICLE_W, abs=1e-12)
    assert history.b == pytest.approx(ARTICLE_B, abs=1e-12)


def test_article_loop_reproduces_its_printed_losses_which_are_not_the_mse():
    w, b, printed = nc.article_model(nc.ARTICLE_X.reshape(-1, 1), nc.ARTICLE_Y, epochs=50)
    assert (w, b) == pytest.approx((ARTICLE_W, ARTICLE_B), abs=1e-12)
    for epoch, value in ARTICLE_PRINTED.items():
        assert printed[epoch] == pytest.approx(value, rel=1e-12)
    true_mse = nc.train(nc.ARTICLE_X, nc.ARTICLE_Y, 0.1, 50, reduction="sum").losses
    assert true_mse[49] < 0.01 < printed[49]  # the printed number is the last sample's error
    assert nc.ARTICLE_PRINTED_LOSSES == ARTICLE_PRINTED
    assert (nc.ARTICLE_W, nc.ARTICLE_B) == (ARTICLE_W, ARTICLE_B)


def test_article_loop_stops_where_training_diverges():
    # Its threshold with the summed gradient is 1/9: lr = 0.3 runs away. It used to overflow to
    # nan with 72 warnings; now it stops, as train does, and returns fewer printed losses.
    w, b, printed = nc.article_model(nc.ARTICLE_X, nc.ARTICLE_Y, epochs=1000, lr=0.3)
    history = nc.train(nc.ARTICLE_X, nc.ARTICLE_Y, lr=0.3, epochs=1000, reduction="sum")
    assert history.diverged and 0 < len(printed) == history.epochs < 1000
    assert (w, b) == pytest.approx((history.w, history.b), rel=1e-9)
    assert history.losses[-1] > nc.EXPLODED * history.losses[0]
    assert len(nc.article_model(nc.ARTICLE_X, nc.ARTICLE_Y, epochs=1000)[2]) == 1000


def test_hessian_matches_finite_differences_of_the_gradient(course):
    x, y = course
    h = 1e-3
    columns = [(np.array(nc.gradients(x, y, 10 + h * dw, 5 + h * db))
                - np.array(nc.gradients(x, y, 10 - h * dw, 5 - h * db))) / (2 * h)
               for dw, db in [(1, 0), (0, 1)]]
    np.testing.assert_allclose(nc.hessian(x), np.column_stack(columns), rtol=1e-6, atol=1e-9)


def test_threshold_of_the_course_and_the_article():
    # Course x is centred with mean(x*x) = 0.0667: the Hessian is diag(0.133, 2), so 2/2 = 1.
    x = nc.scale_inputs(nc.make_dataset()[0])
    assert nc.lr_threshold(x) == pytest.approx(1.0)
    assert nc.lr_threshold(nc.ARTICLE_X, reduction="sum") == pytest.approx(1 / 9)
    assert nc.lr_threshold([-1.0, 1.0]) == pytest.approx(1.0)


def test_divergence_is_a_result_not_a_crash(course):
    x, y = course
    threshold = nc.lr_threshold(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy overflow warning may escape
        stable = nc.train(x, y, lr=0.99 * threshold, epochs=500)
        unstable = nc.train(x, y, lr=1.5 * threshold, epochs=500)
        wild = nc.train(x, y, lr=1e6, epochs=500)
    assert not stable.diverged and stable.epochs == 500
    for history in (unstable, wild):
        assert history.diverged and 0 < history.epochs < 500
        assert np.isfinite(history.losses).all() and np.isfinite([history.w, history.b]).all()
        assert history.losses[-1] > 1e6 * history.losses[0]
        assert (history.w, history.b) == (history.ws[-1], history.bs[-1])


def test_slow_divergence_is_flagged_before_it_explodes(course):
    x, y = course
    history = nc.train(x, y, lr=1.01 * nc.lr_threshold(x), epochs=30)
    assert history.epochs == 30 and history.diverged
    assert history.losses[-1] > history.losses[0]


def test_history_is_a_value_equal_elementwise_and_hashable(course):
    # Array-aware equality (not eq=False identity): the same run gives an equal History.
    x, y = course
    first, again = nc.train(x, y, lr=0.5, epochs=30), nc.train(x, y, lr=0.5, epochs=30)
    other = nc.train(x, y, lr=0.5, epochs=31)
    assert first == again and first is not again and not first != again
    assert first != other and first != nc.train(x, y, lr=0.4, epochs=30)
    assert first != "History" and first != (first.w, first.b)
    assert hash(first) == hash(again) and len({first, again, other}) == 2
    assert {first: "run"}[again] == "run"
    for values in (first.losses, first.ws, first.bs):  # a value's arrays cannot change
        with pytest.raises(ValueError, match="read-only"):
            values[0] = 0.0


def test_a_history_built_by_hand_copies_its_arrays():
    losses = np.array([2.0, 1.0])
    history = nc.History(1.0, 2.0, losses, np.array([0.0, 1.0]), np.array([0.0, 2.0]),
                         False, 0.1, "mean")
    losses[0] = 99.0  # the caller's array stays writeable and the History does not see this
    assert history.losses.tolist() == [2.0, 1.0] and history.epochs == 1


def test_history_repr_is_short_and_fixed_format(course):
    x, y = course
    text = repr(nc.train(x, y, lr=0.5, epochs=3))
    assert text.startswith("History(epochs=3, w=") and "diverged=False" in text


# -- checks for exercises ----------------------------------------------------------------------


# Each checker's verdicts and hints, check_settings's too, are tested in tests/test_checkers.py.


# -- packaging -------------------------------------------------------------------------------


def test_math_imports_without_matplotlib_or_ipywidgets():
    code = ("import sys, neuron_core; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd="/")
    assert out.stdout.strip() == "[]"  # and it imported from "/", i.e. it is installed


# Every public name of the library before the plots and explorers moved to neuron_ui.py.
NAMES_BEFORE_THE_SPLIT = """
TRUE_W TRUE_B SCALE HELD_OUT_CELSIUS STYLE COLORS ARTICLE_CELSIUS ARTICLE_X ARTICLE_Y ARTICLE_LR
ARTICLE_EPOCHS ARTICLE_W ARTICLE_B ARTICLE_PRINTED_LOSSES celsius_to_fahrenheit make_dataset
scale_inputs unscale_params forward mse gradients numerical_gradients step History train
closed_form hessian lr_threshold article_model check_unscale check_forward check_mse
check_gradients check_step check_threshold check_settings plot_data plot_fit plot_losses
plot_loss_surface plot_loss_slice plot_training hand_fit_explorer step_explorer
training_explorer""".split()


def test_every_name_is_reachable_and_listed_for_tab_completion():
    import neuron_ui

    for name in NAMES_BEFORE_THE_SPLIT:
        assert getattr(nc, name) is not None, name
        assert name in dir(nc), name
    for name in neuron_ui.__all__:  # the UI's names are the very objects of neuron_ui
        assert getattr(nc, name) is getattr(neuron_ui, name), name
    with pytest.raises(AttributeError, match="no attribute 'plot_nothing'"):
        nc.plot_nothing  # noqa: B018


def test_lazy_names_are_exactly_the_modules_all_and_all_resolve():
    import neuron_checks
    import neuron_explorers
    import neuron_ui

    modules = {"neuron_ui": neuron_ui, "neuron_explorers": neuron_explorers,
               "neuron_checks": neuron_checks}
    assert set(nc._LAZY) == set(modules)
    for name, module in modules.items():
        assert list(nc._LAZY[name]) == list(module.__all__), name
        for public in module.__all__:
            assert getattr(nc, public) is getattr(module, public), public
            assert public in dir(nc), public
    assert (nc.LR_MAX, nc.EPOCHS_MAX, nc.STEPS_MAX) == (
        neuron_explorers.LR_MAX, neuron_explorers.EPOCHS_MAX, neuron_explorers.STEPS_MAX)
    assert nc.EPOCHS_MAX <= nc.MAX_EPOCHS  # the explorers' runs are within train_fast's bound
    lazy = [name for names in nc._LAZY.values() for name in names]
    assert len(lazy) == len(set(lazy)) and not set(lazy) & set(nc.__all__)  # no name shadowed


ROOT = pathlib.Path(__file__).resolve().parent.parent
LIBRARY = {path.stem for path in ROOT.glob("neuron_*.py")}


def private_uses_of_other_modules(path):
    """``module._name`` and ``from module import _name`` in ``path``, for our neuron_* modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases = {}  # local name -> module, from `import neuron_x as nx` and `import neuron_x`
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in LIBRARY:
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module in LIBRARY:
            found += [f"from {node.module} import {alias.name}" for alias in node.names
                      if alias.name.startswith("_")]
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and aliases.get(node.value.id, path.stem) != path.stem
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return found


def test_the_scan_finds_a_private_use(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import neuron_core as nc\nfrom neuron_fast import _x\nnc._loss_or_inf\n")
    assert private_uses_of_other_modules(probe) == [
        "from neuron_fast import _x", "nc._loss_or_inf (line 3)"]


# neuron_validation is left out: it is where the checking helpers live.
SOURCES = sorted([*ROOT.glob("neuron_*.py"), *ROOT.glob("scripts/*.py")])


@pytest.mark.parametrize("path", [p for p in SOURCES if p.stem != "neuron_validation"],
                         ids=lambda path: path.name)
def test_no_module_calls_a_private_helper_of_another(path):
    assert private_uses_of_other_modules(path) == []


def test_constant_arrays_are_read_only():
    for name in ("ARTICLE_CELSIUS", "ARTICLE_X", "ARTICLE_Y", "HELD_OUT_CELSIUS"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(nc, name)[0] = 0.0
