"""The explorers driven from Python, as a hand on the sliders would drive them (Agg backend)."""

import asyncio
import warnings

import matplotlib
import numpy as np
import pytest

import neuron_core as nc

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings("error")  # no overflow or matplotlib warning may escape


@pytest.fixture
def data():
    celsius, fahrenheit = nc.make_dataset()
    return nc.scale_inputs(celsius), fahrenheit


def drawn(artist):
    return [np.asarray(v, dtype=float) for v in artist.get_data()]


def test_training_explorer_retrains_when_lr_moves(data):
    x, y = data
    ex = nc.training_explorer(x, y, lr=0.5, epochs=200)
    before = ex.canvas.image.value
    ex.lr.value = 0.05
    expected = nc.train(x, y, lr=ex.lr.value, epochs=200)
    assert ex.history.lr == ex.lr.value
    np.testing.assert_array_equal(ex.history.losses, expected.losses)
    curve, _dot, _warning, _mark, line, _off = ex.canvas.moving
    xs, ys = drawn(curve)
    np.testing.assert_allclose(ys, expected.losses)
    span = np.array(ex.figure.axes[2].get_xlim())
    np.testing.assert_allclose(drawn(line)[1], expected.w * span + expected.b)
    assert f"loss = {ys[-1]:.4g}" in ex.readout.value
    w_c = expected.w / 100
    assert f"{w_c:.4f} °F per °C" in ex.readout.value
    assert f"100 °C → {expected.w + expected.b:.2f} °F" in ex.readout.value
    assert ex.canvas.image.value != before


def test_training_explorer_epochs_slider_and_frames(data):
    x, y = data
    ex = nc.training_explorer(x, y, lr=0.5, epochs=200)
    ex.epochs.value = 40
    assert ex.history.epochs == 40 and ex.frame.max == 40
    ex.frame.value = 10  # what Play does, frame by frame
    line = ex.canvas.moving[4]
    span = np.array(ex.figure.axes[2].get_xlim())
    np.testing.assert_allclose(drawn(line)[1], ex.history.ws[10] * span + ex.history.bs[10])
    assert ex.readout.value.startswith("epoch 10 of 40")
    ex.play.value = True  # outside a kernel's event loop, Play jumps to the end
    assert ex.frame.value == 40 and ex.play.value is False


def test_play_animates_in_a_running_kernel_and_pauses(data):
    x, y = data

    async def play():
        ex = nc.training_explorer(x, y, epochs=1000)
        ex.frame.value = 0
        await asyncio.sleep(0.05)
        seen, renders = set(), ex.canvas.renders
        ex.play.value = True
        assert ex.play.description == "Pause"
        for _ in range(10):
            await asyncio.sleep(0.1)
            seen.add(ex.frame.value)
        ex.play.value = False  # pause
        paused_at = ex.frame.value
        await asyncio.sleep(0.3)
        return ex, seen, ex.canvas.renders - renders, paused_at

    ex, seen, renders, paused_at = asyncio.run(play())
    assert len(seen) >= 8 and min(seen) < max(seen) < 1000  # it moved, epoch by epoch
    assert renders >= 8 and ex.frame.value == paused_at and ex.play.description == "Play"
    assert max(seen) % (1000 // nc.PLAY_FRAMES) == 0


def test_training_explorer_says_plainly_when_it_diverges(data):
    x, y = data
    ex = nc.training_explorer(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.lr.value = 10 ** ex.lr.max  # the slider's extreme, three times the threshold
    assert ex.history.diverged
    assert "diverged" in ex.readout.value and "below lr ≈ 1" in ex.readout.value
    assert ex.canvas.moving[2].get_text() == "diverged"
    assert ex.canvas.moving[5].get_text() == "the line has left the chart"
    assert np.isfinite(drawn(ex.canvas.moving[0])[1]).all()
    ex.lr.value = 0.5
    assert not ex.history.diverged and "diverged" not in ex.readout.value


def test_training_explorer_marks_the_threshold(data):
    x, y = data
    ex = nc.training_explorer(x, y)
    assert ex.threshold == pytest.approx(1.0)  # 2 / lambda_max, lambda_max = 2 for centred x
    assert 10 ** ex.lr.min < 1e-2 < 1.0 < 10 ** ex.lr.max  # too small, right and divergent
    labels = [t.get_text() for t in ex.figure.axes[1].texts]
    assert any("diverges above 1" in label for label in labels)


def test_rapid_input_ends_at_the_last_value(data):
    x, y = data
    ex = nc.training_explorer(x, y)
    for lr in np.geomspace(0.01, 2.5, 30):
        ex.lr.value = float(lr)
    ex.lr.value = 0.3
    fresh = nc.training_explorer(x, y, lr=0.3)
    assert ex.history.lr == 0.3
    assert ex.canvas.image.value == fresh.canvas.image.value  # the same picture, pixel for pixel


def test_rapid_input_in_a_running_kernel_is_coalesced_and_ends_at_the_last_value(data):
    x, y = data

    async def drag():
        ex = nc.training_explorer(x, y)
        renders = ex.canvas.renders
        for lr in np.geomspace(0.01, 0.9, 40):  # faster than the canvas redraws
            ex.lr.value = float(lr)
        await asyncio.sleep(0.2)
        return ex, ex.canvas.renders - renders

    ex, renders = asyncio.run(drag())
    assert renders < 40  # bursts are merged...
    fresh = nc.training_explorer(x, y, lr=ex.lr.value)
    assert ex.canvas.image.value == fresh.canvas.image.value  # ...and the last value is drawn


def test_hand_fit_explorer_shows_the_loss_of_the_guess(data):
    x, y = data
    ex = nc.hand_fit_explorer(x, y)
    before = ex.canvas.image.value
    ex.w.value, ex.b.value = 150.0, 30.0
    assert ex.loss == pytest.approx(np.mean((150 * x + 30 - y) ** 2))
    assert f"your loss: <b>{ex.loss:.4g}</b>" in ex.readout.value
    assert "keep going" in ex.readout.value
    line, errors, guess = ex.canvas.moving
    assert drawn(guess) == [np.array([150.0]), np.array([30.0])]
    assert len(errors.get_segments()) == len(x)
    assert ex.canvas.image.value != before
    ex.w.value, ex.b.value = 180.0, 32.0  # the truth beats 20 epochs of gradient descent
    assert ex.loss < 1e-20 and "you beat gradient descent" in ex.readout.value


def test_step_explorer_steps_resets_and_diverges(data):
    x, y = data
    ex = nc.step_explorer(x, y, lr=0.5)
    assert ex.history.epochs == 0
    ex.step_button.click()
    ex.step_button.click()
    assert ex.steps.value == 2 and ex.history.epochs == 2
    w, b = 1.0, 0.0
    for _ in range(2):
        w, b = nc.step(w, b, *nc.gradients(x, y, w, b), lr=0.5)
    path = ex.canvas.moving[0]
    assert drawn(path)[0][-1] == pytest.approx(w) and drawn(path)[1][-1] == pytest.approx(b)
    assert f"after 2 steps: w = {w:.4g}" in ex.readout.value
    ex.reset_button.click()
    assert ex.steps.value == 0
    ex.lr.value = 1.5
    ex.steps.value = 30
    assert ex.history.diverged and "diverged" in ex.readout.value


@pytest.mark.parametrize("epochs", [1, 1000])
@pytest.mark.parametrize("end", ["min", "max"])
def test_every_slider_extreme_draws_and_never_warns(data, epochs, end):
    x, y = data
    ex = nc.training_explorer(x, y)
    step = nc.step_explorer(x, y)
    lr = 10 ** getattr(ex.lr, end)
    ex.epochs.value = epochs
    ex.lr.value = lr
    step.lr.value = lr
    step.steps.value = step.steps.max
    for explorer in (ex, step):
        history = explorer.history
        assert np.isfinite(history.losses).all() and explorer.canvas.image.value
        assert history.diverged == (end == "max")  # 3.16 is past the threshold, 0.0003 is not
        assert ("diverged" in explorer.readout.value) == history.diverged
    hand = nc.hand_fit_explorer(x, y)
    for slider in (hand.w, hand.b):
        for value in (slider.min, slider.max):
            slider.value = value
            assert np.isfinite(hand.loss) and f"{hand.loss:.4g}" in hand.readout.value
